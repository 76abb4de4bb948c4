"""Archive journal (batches of moves, undoable) and follow-ups with their reminders."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("folder", sa.String(500), nullable=False, server_default=""),
        sa.Column("undo_of", sa.Integer),
        sa.Column("marks", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "moves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "batch_id", sa.Integer, sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("email_id", sa.Integer, sa.ForeignKey("emails.id", ondelete="SET NULL")),
        sa.Column("message_id", sa.String(500), nullable=False, server_default=""),
        sa.Column("from_folder", sa.String(500), nullable=False),
        sa.Column("from_key", sa.String(1000), nullable=False),
        sa.Column("from_uidvalidity", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("to_folder", sa.String(500), nullable=False),
        sa.Column("to_key", sa.String(1000), nullable=False, server_default=""),
        sa.Column("to_uidvalidity", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_moves_batch", "moves", ["batch_id"])
    op.create_index("ix_moves_state", "moves", ["state"])
    with op.batch_alter_table("emails") as batch:
        batch.add_column(
            sa.Column("archive_state", sa.String(20), nullable=False, server_default="")
        )
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email_id", sa.Integer, sa.ForeignKey("emails.id", ondelete="SET NULL")),
        sa.Column(
            "application_id",
            sa.Integer,
            sa.ForeignKey("applications.id", ondelete="SET NULL"),
        ),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("to_addr", sa.Text, nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("message_id", sa.String(500), nullable=False, server_default=""),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("stored_in", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("remind_at", sa.DateTime(timezone=True)),
        sa.Column("recontact_at", sa.DateTime(timezone=True)),
        sa.Column("reply_email_id", sa.Integer, sa.ForeignKey("emails.id", ondelete="SET NULL")),
        sa.Column("feedback", sa.Text, nullable=False, server_default=""),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_followups_email", "followups", ["email_id"])
