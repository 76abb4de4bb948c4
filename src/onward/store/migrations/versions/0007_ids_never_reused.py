"""Ids of applications, emails and events are never handed out twice.

SQLite gives a new row the highest rowid plus one, so after a merge or a delete removed the
newest application, the next one took its id, and an old note "application 12" pointed at
another job (an undone delete could not have its id back either). AUTOINCREMENT remembers the
highest id ever used; it can only be declared when a table is made, so the tables are rebuilt.
PostgreSQL's sequences never go back: nothing to do there.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("emails", "applications", "events")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Foreign keys are off while this runs (`Store.migrate`): dropping the old table would
    # otherwise cascade to the rows that point at it.
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always"):
            pass
