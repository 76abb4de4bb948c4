"""How the person felt beside how the search went, and what came after each "no". Pure."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from onward.timeutil import aware


def week_of(dt: datetime) -> str:
    monday = (dt - timedelta(days=dt.weekday())).date()
    return monday.isoformat()


def count_by_week(stamps: Iterable[datetime | None]) -> dict[str, int]:
    return dict(Counter(week_of(at) for t in stamps if (at := aware(t)) is not None))


def weeks(
    applied: dict[str, int],
    rejected: dict[str, int],
    checkins: list[dict[str, Any]],
    now: datetime,
    count: int = 12,
) -> list[dict[str, Any]]:
    """The last `count` weeks: applications sent, rejections, and the check-ins' feelings.
    `applied` and `rejected` count per week (Monday's date), as `count_by_week` does."""
    start = now - timedelta(weeks=count - 1)
    keys = [week_of(start + timedelta(weeks=i)) for i in range(count)]
    feelings: dict[str, Counter[str]] = {k: Counter() for k in keys}
    strength: dict[str, list[int]] = {k: [] for k in keys}
    for c in checkins:
        at = aware(c.get("created_at"))
        k = week_of(at) if at else None
        if k in feelings:
            feelings[k][c["feeling"]] += 1
            if c.get("intensity"):
                strength[k].append(int(c["intensity"]))
    return [
        {
            "week": k,
            "applied": applied.get(k, 0),
            "rejected": rejected.get(k, 0),
            "feelings": dict(feelings[k]),
            "intensity": round(sum(strength[k]) / len(strength[k]), 1) if strength[k] else None,
        }
        for k in keys
    ]


def after_rejections(
    milestones: list[dict[str, Any]], apps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One door closes, another opens: for each rejection, the next application, interview
    and offer after it (anywhere), and the days it took."""
    applied = sorted(
        (at, a["company"]) for a in apps if (at := aware(a.get("applied_at"))) is not None
    )
    by_kind: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for m in milestones:
        at = aware(m.get("at"))
        if at is not None:
            by_kind[m["kind"]].append((at, m["company"]))
    for v in by_kind.values():
        v.sort()

    def first_after(seq: list[tuple[datetime, str]], at: datetime) -> dict[str, Any] | None:
        i = bisect_right(seq, (at, "\uffff"))
        if i == len(seq):
            return None
        nxt, company = seq[i]
        return {"company": company, "days": round((nxt - at).total_seconds() / 86400, 1)}

    out = []
    for at, company in sorted(by_kind.get("rejection", []), reverse=True):
        out.append(
            {
                "at": at,
                "company": company,
                "next_application": first_after(applied, at),
                "next_interview": first_after(by_kind.get("interview", []), at),
                "next_offer": first_after(by_kind.get("offer", []), at),
            }
        )
    return out


def by_feeling(pairs: list[tuple[str, float]]) -> dict[str, float]:
    """Median days to the next application, by the feeling checked in after the rejection."""
    groups: dict[str, list[float]] = defaultdict(list)
    for feeling, days in pairs:
        groups[feeling].append(days)
    return {f: round(median(v), 1) for f, v in sorted(groups.items())}
