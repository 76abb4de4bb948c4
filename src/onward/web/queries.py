"""What each dashboard page reads. Paged and sorted in SQL, so a page costs the same at
10 applications or 10,000."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from onward.store import Store
from onward.store.checkins import Checkins
from onward.store.review import count_to_review, to_review
from onward.store.schema import applications, emails, followups
from onward.tracker import insights, mood, snapshot
from onward.tracker.repo import Tracker, current_candidates

PER_PAGE = 50
SORTS = {
    "company": applications.c.company_key,
    "role": applications.c.role_key,
    "status": applications.c.status,
    "applied": applications.c.applied_at,
    "last": applications.c.last_contact_at,
    "id": applications.c.id,
}
EMAIL_COLS = (
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


def _rows(store: Store, q: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def status(t: Tracker, history: bool = True) -> dict[str, Any]:
    t.refresh_all()
    return insights.figures(snapshot.snapshot(t.store, t.now, history), t.now, t.weekly_goal)


def followup_rows(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    q = select(followups, applications.c.company).join(
        applications, applications.c.id == followups.c.application_id, isouter=True
    )
    return _rows(store, q.order_by(followups.c.created_at.desc(), followups.c.id).limit(limit))


def followup_summary(store: Store, now: datetime, shown: int = 10) -> dict[str, Any]:
    """Feedback asked, sent and answered (counted in SQL), and the reminders due now."""
    unanswered = followups.c.reply_email_id.is_(None)
    due = and_(unanswered, or_(followups.c.remind_at <= now, followups.c.recontact_at <= now))
    q = (
        select(followups, applications.c.company)
        .join(applications, applications.c.id == followups.c.application_id, isouter=True)
        .where(due)
        .order_by(followups.c.remind_at.desc())
        .limit(shown)
    )
    with store.engine.connect() as conn:
        asked, sent, answered, due_total = conn.execute(
            select(
                func.count(),
                func.count().filter(followups.c.state == "sent"),
                func.count(followups.c.reply_email_id),
                func.count().filter(due),
            ).select_from(followups)
        ).one()
    figures = insights.followup_figures(_rows(store, q), now)
    return figures | {
        "asked": int(asked),
        "sent": int(sent),
        "answered": int(answered),
        "due_more": max(int(due_total) - shown, 0),
    }


def review_count(store: Store) -> int:
    """Messages to confirm plus links to choose (two indexed counts; an OR would scan)."""
    links = select(func.count()).where(emails.c.link_state == "review")
    with store.engine.connect() as conn:
        return count_to_review(conn) + int(conn.execute(links).scalar() or 0)


def uncertain(store: Store, page: int) -> tuple[list[dict[str, Any]], int]:
    with store.engine.connect() as conn:
        rows = to_review(conn, EMAIL_COLS, PER_PAGE, page * PER_PAGE)
        return rows, count_to_review(conn)


def link_reviews(store: Store) -> list[dict[str, Any]]:
    q = (
        select(*EMAIL_COLS, emails.c.link_note)
        .where(emails.c.link_state == "review")
        .order_by(emails.c.sent_at.desc())
        .limit(PER_PAGE)
    )
    rows = _rows(store, q)
    for r in rows:
        r["note"] = json.loads(r.pop("link_note") or "{}")
    with store.engine.connect() as conn:
        return current_candidates(conn, rows)


def applications_page(
    store: Store, sort: str, desc: bool, status_: str, search: str, page: int
) -> tuple[list[dict[str, Any]], int]:
    col = SORTS.get(sort, applications.c.id)
    where = []
    if status_:
        where.append(applications.c.status == status_)
    if search:
        like = f"%{search.lower()}%"
        where.append(
            or_(
                func.lower(applications.c.company).like(like),
                func.lower(applications.c.role).like(like),
            )
        )
    order = col.desc() if desc else col.asc()
    q = (
        select(applications)
        .where(*where)
        .order_by(order.nulls_last(), applications.c.id.desc())
        .limit(PER_PAGE)
        .offset(page * PER_PAGE)
    )
    with store.engine.connect() as conn:
        total = int(
            conn.execute(select(func.count()).select_from(applications).where(*where)).scalar() or 0
        )
    return _rows(store, q), total


def application(store: Store, t: Tracker, app_id: int) -> dict[str, Any]:
    app = t.app(app_id)
    mails = _rows(
        store,
        select(*EMAIL_COLS)
        .where(emails.c.application_id == app_id)
        .order_by(emails.c.sent_at)
        .limit(200),
    )
    same = _rows(
        store,
        select(
            applications.c.id, applications.c.company, applications.c.role, applications.c.status
        )
        .where(applications.c.company_key == app["company_key"], applications.c.id != app_id)
        .limit(20),
    )
    return {"app": app, "events": t.events_of(app_id), "emails": mails, "same_company": same}


def reasons_text(stored: str) -> str:
    """The stored reasons (a JSON list) as a sentence a person reads."""
    try:
        reasons = json.loads(stored or "[]")
    except ValueError:
        return stored  # written before reasons were a list
    if not isinstance(reasons, list):
        return str(reasons)
    return "; ".join(str(r) for r in reasons)


def email(store: Store, email_id: int) -> dict[str, Any] | None:
    rows = _rows(store, select(emails).where(emails.c.id == email_id))
    return rows[0] if rows else None


def without_followup(store: Store) -> list[dict[str, Any]]:
    done = select(followups.c.email_id).where(followups.c.email_id.is_not(None))
    q = (
        select(*EMAIL_COLS)
        .where(
            emails.c.kind == "rejection",
            emails.c.needs_review.is_not(True),
            emails.c.id.not_in(done),
        )
        .order_by(emails.c.sent_at.desc())
        .limit(PER_PAGE)
    )
    return _rows(store, q)


def insight_data(store: Store, t: Tracker, now: datetime) -> dict[str, Any]:
    figures = status(t)
    start = insights.week_start(now - timedelta(weeks=11))
    history = Checkins(store).history(since=start)
    pairs, waiting = snapshot.bounce_by_feeling(store)
    applied = figures["total_applications"] or 0
    return {
        "figures": figures,
        "weeks": mood.weeks(*snapshot.per_week(store, start), history, now),
        "after": snapshot.after_rejections(store, 15),
        "bounce": {
            "median_days": figures["median_bounce_back_days"],
            "still_waiting": waiting,
            "by_feeling": mood.by_feeling(pairs),
        },
        "ghost_rate": round(figures["ghosted"] / applied, 3) if applied else None,
    }
