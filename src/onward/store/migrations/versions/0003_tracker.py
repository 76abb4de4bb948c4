"""The application tracker: applications, their events, links from emails, settings."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("company", sa.Text, nullable=False),
        sa.Column("company_key", sa.String(300), nullable=False),
        sa.Column("role", sa.Text, nullable=False, server_default=""),
        sa.Column("role_key", sa.String(300), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reached", sa.String(20), nullable=False),
        sa.Column("closed_stage", sa.String(20), nullable=False, server_default=""),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("url", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        sa.Column("first_response_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("last_contact_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_applications_company", "applications", ["company_key"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "application_id",
            sa.Integer,
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("email_id", sa.Integer, sa.ForeignKey("emails.id", ondelete="SET NULL")),
        sa.Column("via", sa.String(20), nullable=False, server_default="email"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_events_application", "events", ["application_id"])
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("application_id", sa.Integer))
        batch.add_column(sa.Column("link_state", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("link_note", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        for col in ("application_id", "link_state", "link_note"):
            batch.drop_column(col)
    op.drop_table("settings")
    op.drop_table("events")
    op.drop_table("applications")
