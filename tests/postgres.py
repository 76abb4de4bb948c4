"""The private PostgreSQL the tests and benchmarks start (it lives with the demo's)."""

from onward.demo.postgres import Postgres, pg_bin

__all__ = ["Postgres", "pg_bin"]
