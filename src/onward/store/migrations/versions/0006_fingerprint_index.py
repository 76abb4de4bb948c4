"""Emails found by header fingerprint across sources: one message, whatever brought it."""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_emails_fingerprint", "emails", ["fingerprint"])


def downgrade() -> None:
    op.drop_index("ix_emails_fingerprint", table_name="emails")
