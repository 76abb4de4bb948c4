"""Scanned mail: emails, where each one lives, and per-folder scan state."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "folder_state",
        sa.Column("source", sa.String(500), primary_key=True),
        sa.Column("folder", sa.String(500), primary_key=True),
        sa.Column("state", sa.Text, nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "emails",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("from_name", sa.Text, nullable=False, server_default=""),
        sa.Column("from_addr", sa.String(500), nullable=False, server_default=""),
        sa.Column("reply_to", sa.Text, nullable=False, server_default=""),
        sa.Column("to_addrs", sa.Text, nullable=False, server_default=""),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("in_reply_to", sa.String(500), nullable=False, server_default=""),
        sa.Column("refs", sa.Text, nullable=False, server_default=""),
        sa.Column("list_id", sa.Text, nullable=False, server_default=""),
        sa.Column("list_unsubscribe", sa.Text, nullable=False, server_default=""),
        sa.Column("auto_submitted", sa.String(100), nullable=False, server_default=""),
        sa.Column("labels", sa.Text, nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("has_html", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("attachments", sa.Integer, nullable=False, server_default="0"),
        sa.Column("size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("defects", sa.Text, nullable=False, server_default=""),
        sa.Column("scanned_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("source", "fingerprint", name="uq_emails_source_fingerprint"),
    )
    op.create_index("ix_emails_message_id", "emails", ["message_id"])
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "email_id", sa.Integer, sa.ForeignKey("emails.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("folder", sa.String(500), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("key", sa.String(1000), nullable=False),
        sa.UniqueConstraint("source", "folder", "uidvalidity", "key", name="uq_locations_place"),
    )
    op.create_index("ix_locations_email", "locations", ["email_id"])


def downgrade() -> None:
    op.drop_table("locations")
    op.drop_table("emails")
    op.drop_table("folder_state")
