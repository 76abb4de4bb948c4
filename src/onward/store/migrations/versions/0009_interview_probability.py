"""Each verdict keeps the interview's own probability, so that a reply found later to answer
job mail can be shown as the interview it may be (`classify.thread`), as `onward classify`
shows it. Verdicts stored before have none: they are held for review as before."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("interview_p", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("interview_p")
