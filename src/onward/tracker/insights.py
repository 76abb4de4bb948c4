"""Pipeline health from applications: pure figures and plain-sentence nudges."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from onward.tracker.state import ACTIVE

PIPELINE = (*ACTIVE, "offer")


def _days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 86400


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def concentration(active: list[dict[str, Any]]) -> dict[str, Any]:
    by = Counter(a["company_key"] for a in active)
    total = sum(by.values())
    if not total:
        return {
            "largest_employer": None,
            "largest_share": 0.0,
            "hhi": 0.0,
            "eggs_in_one_basket": True,
        }
    key, n = by.most_common(1)[0]
    name = next(a["company"] for a in active if a["company_key"] == key)
    hhi = sum((c / total) ** 2 for c in by.values())
    return {
        "largest_employer": name,
        "largest_share": round(n / total, 3),
        "hhi": round(hhi, 3),
        "eggs_in_one_basket": n / total > 0.5 or total < 3,
    }


def status(apps: list[dict[str, Any]], now: datetime, goal: int) -> dict[str, Any]:
    active = [a for a in apps if a["status"] in PIPELINE]
    applied = [a for a in apps if a["applied_at"] is not None]
    week_start = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    this_week = sum(1 for a in applied if a["applied_at"] >= week_start)
    last = max((a["applied_at"] for a in applied), default=None)
    responded = [a for a in applied if a["first_response_at"] is not None]
    rejected = [a for a in apps if a["status"] == "rejected"]
    to_response = [
        d
        for a in responded
        if (d := _days(a["applied_at"], a["first_response_at"])) is not None and d >= 0
    ]
    to_rejection = [
        d for a in rejected if (d := _days(a["applied_at"], a["closed_at"])) is not None and d >= 0
    ]
    starts = sorted(a["applied_at"] for a in applied)
    bounce = []
    for a in rejected:
        if a["closed_at"] is None:
            continue
        i = bisect_right(starts, a["closed_at"])  # the next application after this "no"
        if i < len(starts):
            bounce.append(_days(a["closed_at"], starts[i]) or 0.0)
    figures = {
        "active": len(active),
        "active_by_stage": {s: sum(1 for a in active if a["status"] == s) for s in PIPELINE},
        "saved": sum(1 for a in apps if a["status"] == "saved"),
        "ghosted": sum(1 for a in apps if a["status"] == "ghosted"),
        "rejected": len(rejected),
        "total_applications": len(applied),
        "this_week": this_week,
        "weekly_goal": goal,
        "days_since_last_application": None if last is None else int(_days(last, now) or 0),
        "concentration": concentration(active),
        "response_rate": round(len(responded) / len(applied), 3) if applied else None,
        "median_days_to_first_response": _median(to_response),
        "median_days_to_rejection": _median(to_rejection),
        "rejections_by_stage": dict(Counter(a["closed_stage"] or "applied" for a in rejected)),
        "median_bounce_back_days": _median(bounce),
    }
    figures["nudges"] = nudges(figures, apps, now)
    return figures


def _saved_hint(apps: list[dict[str, Any]], now: datetime) -> str:
    saved = sorted(
        (a for a in apps if a["status"] == "saved"), key=lambda a: a["created_at"] or now
    )
    if not saved:
        return ""
    a = saved[0]
    days = int(_days(a["created_at"], now) or 0)
    what = f"{a['company']}'s {a['role']}" if a["role"] else a["company"]
    if days < 1:
        return f" {what} is on your list."
    return f" {what} has been on your list for {days} day{'s' if days != 1 else ''}."


def nudges(f: dict[str, Any], apps: list[dict[str, Any]], now: datetime) -> list[str]:
    out: list[str] = []
    c = f["concentration"]
    hint = _saved_hint(apps, now)
    if f["active"] and c["largest_share"] == 1.0 and f["active"] >= 2:
        out.append(
            f"{f['active']} active applications, all at {c['largest_employer']}. "
            f"Two more this week would spread the risk.{hint}"
        )
    elif f["active"] == 0:
        out.append(
            f"No active applications right now. One new application today restarts "
            f"the search.{hint}"
        )
    elif f["active"] < 3:
        n = f["active"]
        out.append(
            f"Only {n} active application{'s' if n != 1 else ''}: a thin pipeline makes "
            f"every answer weigh too much. One or two more would help.{hint}"
        )
    elif c["eggs_in_one_basket"]:
        out.append(
            f"{c['largest_share']:.0%} of your active applications are at "
            f"{c['largest_employer']}: a few elsewhere would spread the risk.{hint}"
        )
    missing = f["weekly_goal"] - f["this_week"]
    if missing > 0:
        out.append(
            f"{f['this_week']} of your {f['weekly_goal']} applications this week: {missing} to go."
        )
    days = f["days_since_last_application"]
    if days is not None and days >= 7:
        out.append(
            f"Your last application was {days} days ago. One small one today keeps the "
            f"search moving."
        )
    quiet = sorted(
        (a for a in apps if a["status"] == "ghosted"),
        key=lambda a: a["last_contact_at"] or now,
        reverse=True,
    )
    for a in quiet[:3]:  # the most recent first: those check-ins are still worth sending
        days_quiet = int(_days(a["last_contact_at"], now) or 0)
        what = f" about {a['role']}" if a["role"] else ""
        out.append(
            f"{a['company']} has not written for {days_quiet} days{what}: a short, "
            "polite check-in is worth sending."
        )
    if len(quiet) > 3:
        out.append(
            f"{len(quiet) - 3} more applications have gone quiet (`onward list --status ghosted`)."
        )
    return out


def followup_figures(rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Feedback asked for and received, and the reminders that are due."""

    def due(r: dict[str, Any], key: str) -> bool:
        at = r.get(key)
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=now.tzinfo)
        return at is not None and at <= now and r.get("reply_email_id") is None

    company = lambda r: r.get("company") or r.get("to_addr") or r.get("subject") or "?"  # noqa: E731
    return {
        "asked": len(rows),
        "sent": sum(1 for r in rows if r["state"] == "sent"),
        "answered": sum(1 for r in rows if r.get("reply_email_id") is not None),
        "check_back": [
            f"No answer yet from {company(r)}: check back, or send your drafted follow-up."
            if r["state"] == "drafted"
            else f"No answer yet from {company(r)}: a short, friendly check-in is fine now."
            for r in rows
            if due(r, "remind_at") and not due(r, "recontact_at")
        ],
        "recontact": [
            f"Three months on: ask {company(r)} whether something new fits (they kept your resume)."
            for r in rows
            if due(r, "recontact_at")
        ],
    }
