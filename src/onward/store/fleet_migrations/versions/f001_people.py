"""A deployment's people and their accounts, and what the sync workers know of each account."""

import sqlalchemy as sa
from alembic import op

revision = "f001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "onward_fleet"


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("schema", sa.String(63), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer,
            sa.ForeignKey(f"{SCHEMA}.people.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("queue", sa.String(50), nullable=False),
        sa.Column("every_minutes", sa.Integer, nullable=False),
        sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("last_started_at", sa.DateTime(timezone=True)),
        sa.Column("last_success_at", sa.DateTime(timezone=True)),
        sa.Column("last_lag_seconds", sa.Float),
        sa.Column("last_seconds", sa.Float),
        sa.Column("last_new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("messages", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.Column("needs_owner", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("person_id", "name"),
        schema=SCHEMA,
    )
    op.create_index(
        "accounts_due",
        "accounts",
        ["next_sync_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("NOT needs_owner"),
    )


def downgrade() -> None:
    op.drop_table("accounts", schema=SCHEMA)
    op.drop_table("people", schema=SCHEMA)
