"""onward: local-first help through job rejection and back into the search."""

__version__ = "0.1.0"
# The newest database migration (store/migrations/versions), known without importing the store:
# a database at another revision is migrated by the full command. A test checks it.
SCHEMA = "0009"
