"""Reads of stored emails that commands, the dashboard, the demo and the watcher share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import func, select

from onward.store.db import Store
from onward.store.schema import applications, emails, locations

# What a list of emails shows: no body, no headers beyond the sender.
SUMMARY = (
    emails.c.id,
    emails.c.message_id,
    emails.c.subject,
    emails.c.from_name,
    emails.c.from_addr,
    emails.c.sent_at,
    emails.c.kind,
    emails.c.confidence,
    emails.c.needs_review,
    emails.c.company,
    emails.c.role,
    emails.c.reasons,
    emails.c.application_id,
    emails.c.link_state,
)


class Summary(TypedDict):
    """An email as a list shows it (`SUMMARY`)."""

    id: int
    message_id: str
    subject: str
    from_name: str
    from_addr: str
    sent_at: datetime | None
    kind: str | None
    confidence: float | None
    needs_review: bool | None
    company: str
    role: str
    reasons: str
    application_id: int | None
    link_state: str


@dataclass(frozen=True)
class Place:
    """Where a copy of an email is stored: its source, folder and key there."""

    source: str
    folder: str
    key: str
    uidvalidity: int


@dataclass(frozen=True)
class Decided:
    """What the classifier made of one stored email."""

    sent_at: datetime | None
    kind: str
    needs_review: bool
    company: str
    role: str
    subject: str
    model_version: str


def _summaries(store: Store, q: Any) -> list[Summary]:
    with store.engine.connect() as conn:
        return [Summary(**r._mapping) for r in conn.execute(q)]  # type: ignore[typeddict-item]


def email(store: Store, email_id: int) -> dict[str, Any] | None:
    """The whole stored row, or None."""
    with store.engine.connect() as conn:
        row = conn.execute(select(emails).where(emails.c.id == email_id)).first()
    return dict(row._mapping) if row is not None else None


def of_application(store: Store, app_id: int, limit: int | None = None) -> list[Summary]:
    """An application's emails, oldest first (its story in order)."""
    q = select(*SUMMARY).where(emails.c.application_id == app_id).order_by(emails.c.sent_at)
    return _summaries(store, q.limit(limit))


def reply_target(store: Store, app_id: int) -> dict[str, Any] | None:
    """The email to answer for an application: its latest rejection, else its latest email."""
    q = (
        select(emails)
        .where(emails.c.application_id == app_id)
        .order_by((emails.c.kind == "rejection").desc(), emails.c.sent_at.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    return dict(row._mapping) if row is not None else None


def places(store: Store, email_id: int) -> list[Place]:
    """Every stored copy of an email, in the order they were found."""
    q = select(locations).where(locations.c.email_id == email_id).order_by(locations.c.id)
    with store.engine.connect() as conn:
        return [Place(r.source, r.folder, r.key, int(r.uidvalidity or 0)) for r in conn.execute(q)]


def last_id(store: Store) -> int:
    """The newest email's id (0 when there is none): a mark to find what comes after."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(emails.c.id), 0))).scalar() or 0)


def arrived(store: Store, source: str, after: int) -> list[dict[str, Any]]:
    """Emails of `source` stored after id `after`, each once (a message in two folders is one
    email), with where it lies and its application's names (`app_company`, `app_role`)."""
    q = (
        select(
            emails,
            locations.c.folder,
            locations.c.key,
            applications.c.company.label("app_company"),
            applications.c.role.label("app_role"),
        )
        .join(locations, locations.c.email_id == emails.c.id)
        .outerjoin(applications, applications.c.id == emails.c.application_id)
        .where(emails.c.id > after, locations.c.source == source)
        .order_by(emails.c.id)
    )
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    return list({r["id"]: r for r in rows}.values())


def decided(store: Store) -> list[Decided]:
    """Every email's verdict, oldest first."""
    q = select(
        emails.c.sent_at,
        emails.c.kind,
        emails.c.needs_review,
        emails.c.company,
        emails.c.role,
        emails.c.subject,
        emails.c.model_version,
    ).order_by(emails.c.sent_at)
    with store.engine.connect() as conn:
        return [
            Decided(
                r.sent_at,
                r.kind or "",
                bool(r.needs_review),
                r.company,
                r.role,
                r.subject,
                r.model_version,
            )
            for r in conn.execute(q)
        ]


def last_sent_at(store: Store) -> datetime | None:
    """When the newest email was sent."""
    with store.engine.connect() as conn:
        value = conn.execute(select(func.max(emails.c.sent_at))).scalar()
    if isinstance(value, str):  # SQLite may hand back an aggregate's stored text as is
        return datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else None
