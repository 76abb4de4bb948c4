"""Classifier verdicts on each email, and the person's corrections (kept across model updates)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("kind", sa.String(40)))
        batch.add_column(sa.Column("confidence", sa.Float))
        batch.add_column(sa.Column("needs_review", sa.Boolean))
        batch.add_column(sa.Column("company", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("role", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("ats", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("reasons", sa.Text, nullable=False, server_default=""))
        batch.add_column(
            sa.Column("model_version", sa.String(100), nullable=False, server_default="")
        )
    op.create_index("ix_emails_kind", "emails", ["kind"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email_id", sa.Integer, sa.ForeignKey("emails.id", ondelete="SET NULL")),
        sa.Column("message_id", sa.String(500), nullable=False, server_default=""),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("previous_kind", sa.String(40), nullable=False, server_default=""),
        # What the model learns from is kept with the label, so a correction survives
        # even if the email row is gone or a rescan re-creates it.
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("from_name", sa.Text, nullable=False, server_default=""),
        sa.Column("from_addr", sa.String(500), nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("corrections")
    op.drop_index("ix_emails_kind", "emails")
    with op.batch_alter_table("emails") as batch:
        for col in (
            "kind",
            "confidence",
            "needs_review",
            "company",
            "role",
            "ats",
            "reasons",
            "model_version",
        ):
            batch.drop_column(col)
