"""What each dashboard page reads. Paged and sorted in SQL, so a page costs the same at
10 applications or 10,000."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from onward.store import Store, snapshot
from onward.store import emails as stored
from onward.store.checkins import Checkins
from onward.store.followups import Followups
from onward.store.review import count_to_review, to_review
from onward.tracker import insights, mood
from onward.tracker import status as standing
from onward.tracker.repo import Tracker

PER_PAGE = 50


def followup_rows(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    return Followups(store).with_company(limit)


def followup_summary(store: Store, now: datetime, shown: int = 10) -> dict[str, Any]:
    """Feedback asked, sent and answered (counted in SQL), and the reminders due now."""
    follow = Followups(store)
    counts = follow.counts(now)
    figures = insights.followup_figures(follow.with_company(shown, due_at=now), now)
    return figures | {
        "asked": counts.asked,
        "sent": counts.sent,
        "answered": counts.answered,
        "due_more": max(counts.due - shown, 0),
    }


def review_count(store: Store) -> int:
    """Messages to confirm plus links to choose (two indexed counts; an OR would scan)."""
    return count_to_review(store) + Tracker(store).count_review_links()


def uncertain(store: Store, page: int) -> tuple[list[stored.Summary], int]:
    return to_review(store, PER_PAGE, page * PER_PAGE), count_to_review(store)


def link_reviews(store: Store) -> list[dict[str, Any]]:
    return Tracker(store).review_links(PER_PAGE)


def applications_page(
    store: Store, sort: str, desc: bool, status_: str, search: str, page: int
) -> tuple[list[dict[str, Any]], int]:
    return Tracker(store).page(sort, desc, status_, search, PER_PAGE, page * PER_PAGE)


def application(store: Store, t: Tracker, app_id: int) -> dict[str, Any]:
    return {
        "app": t.app(app_id),
        "events": t.events_of(app_id),
        "emails": stored.of_application(store, app_id, 200),
        "same_company": t.same_company(app_id, 20),
    }


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
    return stored.email(store, email_id)


def without_followup(store: Store) -> list[dict[str, Any]]:
    return Followups(store).without_followup(limit=PER_PAGE)


def insight_data(store: Store, t: Tracker, now: datetime) -> dict[str, Any]:
    figures = standing.status(t)
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
