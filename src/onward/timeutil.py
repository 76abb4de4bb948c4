"""Datetimes as onward stores them: always UTC. SQLite hands them back without a zone."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(dt: datetime | None) -> datetime | None:
    """The same instant with its UTC zone restored (a datetime that has one is kept)."""
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt
