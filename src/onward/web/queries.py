"""What each dashboard page reads. Paged and sorted in SQL, so a page costs the same at
10 applications or 10,000."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from onward.store import Store
from onward.store.checkins import Checkins
from onward.store.schema import applications, emails, events, followups
from onward.tracker import insights, mood
from onward.tracker.repo import Tracker

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


def status(t: Tracker) -> dict[str, Any]:
    t.refresh_all()
    return insights.status(t.apps(), t.now, int(t.setting("weekly_goal", "5")))


def followup_rows(store: Store) -> list[dict[str, Any]]:
    q = select(followups, applications.c.company).join(
        applications, applications.c.id == followups.c.application_id, isouter=True
    )
    return _rows(store, q.order_by(followups.c.created_at.desc()))


def review_count(store: Store) -> int:
    q = select(func.count()).where(
        or_(
            and_(emails.c.needs_review.is_(True), emails.c.kind != "not_job"),
            emails.c.link_state == "review",
        )
    )
    with store.engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def uncertain(store: Store, page: int) -> tuple[list[dict[str, Any]], int]:
    where = and_(emails.c.needs_review.is_(True), emails.c.kind != "not_job")
    q = (
        select(*EMAIL_COLS)
        .where(where)
        .order_by(emails.c.sent_at.desc(), emails.c.id.desc())
        .limit(PER_PAGE)
        .offset(page * PER_PAGE)
    )
    with store.engine.connect() as conn:
        total = int(conn.execute(select(func.count()).where(where)).scalar() or 0)
    return _rows(store, q), total


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
    return rows


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


def weekly_goal(t: Tracker) -> int:
    return int(t.setting("weekly_goal", "5"))


def insight_data(store: Store, t: Tracker, now: datetime) -> dict[str, Any]:
    t.refresh_all()
    apps = t.apps()
    figures = insights.status(apps, now, weekly_goal(t))
    ck = Checkins(store)
    history = ck.history()
    after = mood.after_rejections(ck.milestones(), apps, now)
    counts = _rows(
        store,
        select(applications.c.status, func.count().label("n")).group_by(applications.c.status),
    )
    by_status = {r["status"]: r["n"] for r in counts}
    applied = figures["total_applications"] or 0
    return {
        "figures": figures,
        "weeks": mood.weeks(apps, history, now),
        "after": after[:15],
        "bounce": mood.bounce_back(after, history, now),
        "checkins": history[-30:],
        "ghost_rate": round(by_status.get("ghosted", 0) / applied, 3) if applied else None,
        "by_status": by_status,
    }


def event_counts(store: Store) -> dict[str, int]:
    q = select(events.c.kind, func.count().label("n")).group_by(events.c.kind)
    return {r["kind"]: r["n"] for r in _rows(store, q)}
