"""Follow-ups: what was drafted or sent, the reminders that follow, and the answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from onward.store.db import Store
from onward.store.schema import applications, emails, followups

# A thank-you goes only to mail onward is sure is a rejection: the bar the archive uses too.
SURE_REJECTION = 0.8


@dataclass(frozen=True)
class Counts:
    """Feedback asked for (drafted or sent), sent by onward, answered, and reminders due."""

    asked: int
    sent: int
    answered: int
    due: int


class Followups:
    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def record(
        self, now: datetime, check_back_weeks: int, recontact_days: int, **values: Any
    ) -> int:
        with self.engine.begin() as conn:
            res = conn.execute(
                followups.insert().values(
                    created_at=now,
                    remind_at=now + timedelta(weeks=check_back_weeks),
                    recontact_at=now + timedelta(days=recontact_days),
                    **values,
                )
            )
            pk = res.inserted_primary_key
            assert pk is not None
            return int(pk[0])

    def update(self, followup_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(followups.update().where(followups.c.id == followup_id).values(**values))

    def for_email(self, email_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = select(followups).where(followups.c.email_id == email_id).order_by(followups.c.id)
            return [dict(r._mapping) for r in conn.execute(q)]

    def all(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping) for r in conn.execute(select(followups).order_by(followups.c.id))
            ]

    def without_followup(
        self, min_confidence: float = SURE_REJECTION, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Rejections nobody has followed up yet: the one list `onward followup`, the
        dashboard, the archive's offer and the demo show. Oldest first, a queue read top to
        bottom (the longest-waiting thank-you first, numbered so for the archive's "choose").
        Only rejections onward is sure of (not waiting for review, at least `min_confidence`):
        the dashboard drafts one in a click, and a thank-you for mail that was no rejection
        would embarrass."""
        done = select(followups.c.email_id).where(followups.c.email_id.is_not(None))
        q = (
            select(emails)
            .where(
                emails.c.kind == "rejection",
                emails.c.needs_review.is_not(True),
                emails.c.confidence >= min_confidence,
                emails.c.id.not_in(done),
            )
            .order_by(emails.c.sent_at, emails.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def with_company(
        self, limit: int | None = None, newest_first: bool = True, due_at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Follow-ups with their application's employer (`company`, None when unlinked): newest
        first, or in the order they were recorded; with `due_at`, only those unanswered with a
        reminder due then, the latest reminder first."""
        q = select(followups, applications.c.company).join(
            applications, applications.c.id == followups.c.application_id, isouter=True
        )
        if due_at is not None:
            q = q.where(_due(due_at)).order_by(followups.c.remind_at.desc())
        elif newest_first:
            q = q.order_by(followups.c.created_at.desc(), followups.c.id)
        else:
            q = q.order_by(followups.c.id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.limit(limit))]

    def counts(self, now: datetime) -> Counts:
        """Counted in SQL, so a summary costs the same at 10 follow-ups or 10,000."""
        q = select(
            func.count(),
            func.count().filter(followups.c.state == "sent"),
            func.count(followups.c.reply_email_id),
            func.count().filter(_due(now)),
        ).select_from(followups)
        with self.engine.connect() as conn:
            asked, sent, answered, due = conn.execute(q).one()
        return Counts(int(asked), int(sent), int(answered), int(due))

    def unanswered_replies(
        self, counts: Callable[[dict[str, Any], dict[str, Any]], bool] = lambda f, e: True
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(follow-up, email) pairs where the email answers a follow-up not yet answered: the
        first email that `counts` (given the follow-up with its original's `original_from` and
        `original_reply_to`, and the email)."""
        f, e = followups, emails
        o = emails.alias("original")
        threaded = or_(
            and_(f.c.message_id != "", e.c.in_reply_to == f.c.message_id),
            and_(f.c.message_id != "", e.c.refs.contains(f.c.message_id)),
            # Sent from their mail client, the reply may carry another Message-ID: then the
            # next email from the same person counts.
            and_(
                f.c.to_addr != "",
                func.lower(e.c.from_addr) == func.lower(f.c.to_addr),
                e.c.sent_at > f.c.created_at,
            ),
        )
        q = (
            select(
                f,
                e.c.id.label("e_id"),
                e.c.body.label("e_body"),
                e.c.sent_at.label("e_at"),
                e.c.from_addr.label("e_from"),
                o.c.from_addr.label("original_from"),
                o.c.reply_to.label("original_reply_to"),
            )
            .join(e, threaded)
            .outerjoin(o, o.c.id == f.c.email_id)
            .where(f.c.reply_email_id.is_(None), e.c.id != f.c.email_id)
            .order_by(f.c.id, e.c.sent_at)
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        seen: set[int] = set()
        out = []
        for r in rows:
            answer = {"id": r["e_id"], "body": r["e_body"], "sent_at": r["e_at"]}
            if r["id"] not in seen and counts(r, answer | {"from_addr": r["e_from"]}):
                seen.add(r["id"])
                out.append((r, answer))
        return out


def _due(now: datetime) -> ColumnElement[bool]:
    """Unanswered, with its check-back or its three-month reminder come."""
    unanswered = followups.c.reply_email_id.is_(None)
    return and_(unanswered, or_(followups.c.remind_at <= now, followups.c.recontact_at <= now))
