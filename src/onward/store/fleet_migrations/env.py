"""Alembic environment for a deployment's control tables (schema `onward_fleet`): runs on the
connection onward hands it, never from alembic.ini."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table_schema="onward_fleet")
with context.begin_transaction():
    context.run_migrations()
