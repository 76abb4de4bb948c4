"""The database: the person's record. SQLite by default, PostgreSQL by URL."""

from onward.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
