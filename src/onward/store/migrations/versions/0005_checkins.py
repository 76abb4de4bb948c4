"""Check-ins after a rejection (one per rejection at most), and indexes the dashboard reads by."""

from datetime import datetime

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
    op.create_index("ix_emails_review", "emails", ["needs_review", "kind", "sent_at"])
    op.create_index("ix_emails_application", "emails", ["application_id"])
    op.create_index("ix_applications_status", "applications", ["status"])
    op.create_index("ix_applications_applied", "applications", ["applied_at"])
    op.create_index("ix_emails_link_state", "emails", ["link_state"])
    op.create_index("ix_emails_kind_sent", "emails", ["kind", "sent_at"])
    op.create_index("ix_followups_due", "followups", ["remind_at"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("response_days", sa.Float))
        batch.add_column(sa.Column("rejection_days", sa.Float))
    op.create_index("ix_applications_response_days", "applications", ["response_days"])
    op.create_index("ix_applications_rejection_days", "applications", ["rejection_days"])
    _backfill_spans()


def _spans(
    applied: datetime | None, responded: datetime | None, closed: datetime | None, status: str
) -> tuple[float | None, float | None]:
    """tracker.state.spans as it was when this migration shipped: a copy, so that changing the
    tracker later cannot change what upgrading an old database stores."""

    def days(a: datetime | None, b: datetime | None) -> float | None:
        if a is None or b is None:
            return None
        d = (b - a).total_seconds() / 86400
        return d if d >= 0 else None

    return days(applied, responded), days(applied, closed) if status == "rejected" else None


def _backfill_spans() -> None:
    apps = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("applied_at", sa.DateTime),
        sa.column("first_response_at", sa.DateTime),
        sa.column("closed_at", sa.DateTime),
        sa.column("response_days", sa.Float),
        sa.column("rejection_days", sa.Float),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            apps.c.id, apps.c.status, apps.c.applied_at, apps.c.first_response_at, apps.c.closed_at
        )
    ).all()

    def naive(v: datetime | None) -> datetime | None:
        return v.replace(tzinfo=None) if v is not None else None

    values = []
    for r in rows:
        resp, rej = _spans(
            naive(r.applied_at), naive(r.first_response_at), naive(r.closed_at), r.status
        )
        values.append({"key": r.id, "r": resp, "j": rej})
    if values:
        conn.execute(
            apps.update()
            .where(apps.c.id == sa.bindparam("key"))
            .values(response_days=sa.bindparam("r"), rejection_days=sa.bindparam("j")),
            values,
        )


def downgrade() -> None:
    op.drop_index("ix_applications_rejection_days", "applications")
    op.drop_index("ix_applications_response_days", "applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("rejection_days")
        batch.drop_column("response_days")
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
