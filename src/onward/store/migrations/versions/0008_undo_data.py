"""What an undo puts back for a batch that moved no mail: a deleted application, its events
and its links (the emails themselves are never deleted)."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("undo_data", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("undo_data")
