"""Check-ins after a rejection (one per rejection at most), and indexes the dashboard reads by."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True),
        # The rejection event this check-in answers; NULL for one taken any time.
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column(
            "application_id", sa.Integer, sa.ForeignKey("applications.id", ondelete="SET NULL")
        ),
        sa.Column("state", sa.String(20), nullable=False),  # done | skipped
        sa.Column("feeling", sa.String(40), nullable=False, server_default=""),
        sa.Column("intensity", sa.Integer),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("event_id", name="uq_checkins_event"),
    )
    op.create_index("ix_checkins_created", "checkins", ["created_at"])
    op.create_index("ix_events_kind_at", "events", ["kind", "at"])
    op.create_index("ix_emails_review", "emails", ["needs_review", "sent_at"])
    op.create_index("ix_emails_application", "emails", ["application_id"])
    op.create_index("ix_applications_status", "applications", ["status"])
    op.create_index("ix_applications_applied", "applications", ["applied_at"])
    op.create_index("ix_emails_link_state", "emails", ["link_state"])
    op.create_index("ix_emails_kind_sent", "emails", ["kind", "sent_at"])
    op.create_index("ix_followups_due", "followups", ["remind_at"])


def downgrade() -> None:
    op.drop_index("ix_followups_due", "followups")
    op.drop_index("ix_emails_kind_sent", "emails")
    op.drop_index("ix_emails_link_state", "emails")
    op.drop_index("ix_applications_applied", "applications")
    op.drop_index("ix_applications_status", "applications")
    op.drop_index("ix_emails_application", "emails")
    op.drop_index("ix_emails_review", "emails")
    op.drop_index("ix_events_kind_at", "events")
    op.drop_index("ix_checkins_created", "checkins")
    op.drop_table("checkins")
