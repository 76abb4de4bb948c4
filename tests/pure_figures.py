"""The reference for the dashboard's figures: `insights.Snapshot` computed in Python from the
application rows, the obvious way. `store/snapshot.py` computes the same in SQL, which is what
onward runs; tests hold the two equal."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from statistics import median
from typing import Any

from onward.tracker.insights import PIPELINE, Snapshot, figures, week_start


def _days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 86400


def _mid(values: Iterable[float]) -> float | None:
    got = list(values)
    return median(got) if got else None


def snapshot(apps: list[dict[str, Any]], now: datetime) -> Snapshot:
    active: dict[str, list[Any]] = {}
    for a in apps:
        if a["status"] in PIPELINE:
            entry = active.setdefault(a["company_key"], [a["company"], 0])
            entry[0] = min(entry[0], a["company"])
            entry[1] += 1
    applied = [a for a in apps if a["applied_at"] is not None]
    rejected = [a for a in apps if a["status"] == "rejected"]
    starts = sorted(a["applied_at"] for a in applied)
    bounce = []
    for a in rejected:
        if a["closed_at"] is None:
            continue
        i = bisect_right(starts, a["closed_at"])  # the next application after this "no"
        if i < len(starts):
            bounce.append(_days(a["closed_at"], starts[i]) or 0.0)
    # Oldest saved first (undated last); most recent silence first (undated first).
    saved = sorted(
        (a for a in apps if a["status"] == "saved"),
        key=lambda a: (a["created_at"] is None, a["created_at"] or now),
    )
    said = _last_no(apps)
    quiet = sorted(
        (a for a in apps if a["status"] == "ghosted" and not _said_no_since(a, said)),
        key=lambda a: (a["last_contact_at"] is None, a["last_contact_at"] or now),
        reverse=True,
    )
    pick = ("company", "role", "created_at", "last_contact_at")
    companies = [(k, v[0], v[1]) for k, v in active.items()]
    return Snapshot(
        by_status=dict(Counter(a["status"] for a in apps)),
        active_total=sum(n for _, _, n in companies),
        active_sum_sq=sum(n * n for _, _, n in companies),
        top_company=min(companies, key=lambda c: (-c[2], c[0])) if companies else None,
        applied=len(applied),
        this_week=sum(1 for a in applied if a["applied_at"] >= week_start(now)),
        last_applied=max((a["applied_at"] for a in applied), default=None),
        responded=sum(1 for a in applied if a["first_response_at"] is not None),
        to_response=_mid(
            d
            for a in applied
            if (d := _days(a["applied_at"], a["first_response_at"])) is not None and d >= 0
        ),
        to_rejection=_mid(
            d
            for a in rejected
            if (d := _days(a["applied_at"], a["closed_at"])) is not None and d >= 0
        ),
        rejections_by_stage=dict(Counter(a["closed_stage"] or "applied" for a in rejected)),
        bounce=_mid(bounce),
        first_saved={k: saved[0][k] for k in pick} if saved else None,
        quiet=[{k: a[k] for k in pick} for a in quiet[:3]],
    )


def _last_no(apps: list[dict[str, Any]]) -> dict[str, datetime]:
    """Each employer's latest rejection, over all its applications."""
    said: dict[str, datetime] = {}
    for a in apps:
        at = a["closed_at"] if a["status"] == "rejected" else None
        if at is not None and (a["company_key"] not in said or at > said[a["company_key"]]):
            said[a["company_key"]] = at
    return said


def _said_no_since(a: dict[str, Any], said: dict[str, datetime]) -> bool:
    """Whether the employer sent a "no" (for another role, say) after this application went
    quiet: then "has not written for N days" is false, and a check-in beside the point."""
    at = a["last_contact_at"]
    return at is not None and said.get(a["company_key"], at) > at


def status(apps: list[dict[str, Any]], now: datetime, goal: int) -> dict[str, Any]:
    return figures(snapshot(apps, now), now, goal)
