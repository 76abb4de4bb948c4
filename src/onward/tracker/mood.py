"""How the person felt beside how the search went, and what came after each "no". Pure."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from statistics import median
from typing import Any


def _aware(dt: datetime | None, now: datetime) -> datetime | None:
    return dt.replace(tzinfo=now.tzinfo) if dt is not None and dt.tzinfo is None else dt


def week_of(dt: datetime) -> str:
    monday = (dt - timedelta(days=dt.weekday())).date()
    return monday.isoformat()


def weeks(
    apps: list[dict[str, Any]], checkins: list[dict[str, Any]], now: datetime, count: int = 12
) -> list[dict[str, Any]]:
    """The last `count` weeks: applications sent, rejections, and the check-ins' feelings."""
    start = now - timedelta(weeks=count - 1)
    keys = [week_of(start + timedelta(weeks=i)) for i in range(count)]
    rows: dict[str, dict[str, Any]] = {
        k: {"week": k, "applied": 0, "rejected": 0, "feelings": Counter(), "intensity": []}
        for k in keys
    }
    for a in apps:
        for field, name in (("applied_at", "applied"), ("closed_at", "rejected")):
            at = _aware(a.get(field), now)
            if at is None or (name == "rejected" and a.get("status") != "rejected"):
                continue
            row = rows.get(week_of(at))
            if row is not None:
                row[name] += 1
    for c in checkins:
        at = _aware(c.get("created_at"), now)
        row = rows.get(week_of(at)) if at else None
        if row is not None:
            row["feelings"][c["feeling"]] += 1
            if c.get("intensity"):
                row["intensity"].append(int(c["intensity"]))
    out = []
    for k in keys:
        r = rows[k]
        out.append(
            r
            | {
                "feelings": dict(r["feelings"]),
                "intensity": round(sum(r["intensity"]) / len(r["intensity"]), 1)
                if r["intensity"]
                else None,
            }
        )
    return out


def after_rejections(
    milestones: list[dict[str, Any]], apps: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """One door closes, another opens: for each rejection, the next application, interview
    and offer after it (anywhere), and the days it took."""
    applied = sorted(
        (at, a["company"]) for a in apps if (at := _aware(a.get("applied_at"), now)) is not None
    )
    by_kind: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for m in milestones:
        at = _aware(m.get("at"), now)
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


def bounce_back(
    after: list[dict[str, Any]], checkins: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """Days from a rejection to the next application: overall, and by the feeling checked in."""
    days = [r["next_application"]["days"] for r in after if r["next_application"]]
    feeling_at = sorted(
        (at, c["feeling"]) for c in checkins if (at := _aware(c.get("rejected_at"), now))
    )
    by_feeling: dict[str, list[float]] = defaultdict(list)
    lookup = dict(feeling_at)
    for r in after:
        f = lookup.get(r["at"])
        if f and r["next_application"]:
            by_feeling[f].append(r["next_application"]["days"])
    return {
        "median_days": round(median(days), 1) if days else None,
        "still_waiting": sum(1 for r in after if not r["next_application"]),
        "by_feeling": {f: round(median(v), 1) for f, v in sorted(by_feeling.items())},
    }
