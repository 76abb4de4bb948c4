"""The messages waiting for the person to confirm: one query for the CLI, the dashboard and
the API, so what each of them shows is the same list in the same order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from onward.store.db import Store
from onward.store.emails import SUMMARY, Summary
from onward.store.schema import emails

# Everything the classifier marked for review is shown, `not_job` included: uncertain mail
# called not_job is exactly the hand-written interview or rejection a person must not miss.
NEEDS_REVIEW = emails.c.needs_review.is_(True)

# The mistakes that cost most first: a missed offer, interview or assessment, then a decision,
# then the rest of job mail, and uncertain "not job" last.
KIND_ORDER = (
    "offer",
    "interview",
    "assessment",
    "rejection",
    "application_received",
    "recruiter_outreach",
    "other_job",
    "job_alert",
    "not_job",
)


def review_order() -> list[ColumnElement[Any]]:
    """Likeliest job mail first: by kind (`KIND_ORDER`), then within a kind by how likely
    the message is job mail (the more confident a job kind, the likelier; the less confident
    "not job", the likelier), then newest first."""
    rank = case(
        {k: i for i, k in enumerate(KIND_ORDER)}, value=emails.c.kind, else_=len(KIND_ORDER)
    )
    confidence = func.coalesce(emails.c.confidence, 0.0)
    job_likelihood = case((emails.c.kind == "not_job", confidence), else_=-confidence)
    return [rank, job_likelihood, emails.c.sent_at.desc(), emails.c.id.desc()]


def to_review(store: Store, limit: int | None = None, offset: int = 0) -> list[Summary]:
    """The messages to confirm, in `review_order`: all of them, or one page."""
    q = select(*SUMMARY).where(NEEDS_REVIEW).order_by(*review_order())
    with store.engine.connect() as conn:
        rows = conn.execute(q.limit(limit).offset(offset))
        return [Summary(**r._mapping) for r in rows]  # type: ignore[typeddict-item]


def count_to_review(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(NEEDS_REVIEW)).scalar() or 0)
