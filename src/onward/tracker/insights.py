"""Pipeline health from applications: pure figures and plain-sentence nudges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from onward.tracker.state import ACTIVE

PIPELINE = (*ACTIVE, "offer")


def _days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 86400


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Snapshot:
    """What the figures need from the applications, small enough to compute in SQL when there
    are thousands (`store/snapshot.py`; tests/pure_figures.py computes it from the rows, as
    the reference the SQL is held equal to)."""

    by_status: dict[str, int]
    active_total: int  # active applications
    active_sum_sq: int  # sum over employers of (active applications there)²
    top_company: tuple[str, str, int] | None  # (company_key, name, count), most active
    applied: int
    this_week: int
    last_applied: datetime | None
    responded: int
    to_response: float | None  # median days from applying to a first answer
    to_rejection: float | None  # median days from applying to the rejection
    rejections_by_stage: dict[str, int]
    bounce: float | None  # median days from a rejection to the next application
    first_saved: dict[str, Any] | None  # the oldest saved posting: company, role, created_at
    quiet: list[dict[str, Any]] = field(default_factory=list)  # 3 most recent ghosted


def week_start(now: datetime) -> datetime:
    return (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def concentration(total: int, sum_sq: int, top: tuple[str, str, int] | None) -> dict[str, Any]:
    if not total or top is None:
        return {
            "largest_employer": None,
            "largest_share": 0.0,
            "hhi": 0.0,
            "eggs_in_one_basket": True,
        }
    _key, name, n = top
    return {
        "largest_employer": name,
        "largest_share": round(n / total, 3),
        "hhi": round(sum_sq / total**2, 3),  # Herfindahl-Hirschman index of the active ones
        "eggs_in_one_basket": n / total > 0.5 or total < 3,
    }


def figures(s: Snapshot, now: datetime, goal: int) -> dict[str, Any]:
    by = s.by_status
    active = sum(by.get(st, 0) for st in PIPELINE)
    out = {
        "active": active,
        "active_by_stage": {st: by.get(st, 0) for st in PIPELINE},
        "saved": by.get("saved", 0),
        "ghosted": by.get("ghosted", 0),
        "rejected": by.get("rejected", 0),
        "withdrawn": by.get("withdrawn", 0),
        "tracked": sum(by.values()),  # every row `onward list` shows
        "total_applications": s.applied,  # those with the day they were sent
        "this_week": s.this_week,
        "weekly_goal": goal,
        "days_since_last_application": None
        if s.last_applied is None
        else int(_days(s.last_applied, now) or 0),
        "concentration": concentration(s.active_total, s.active_sum_sq, s.top_company),
        "response_rate": round(s.responded / s.applied, 3) if s.applied else None,
        "median_days_to_first_response": _round(s.to_response),
        "median_days_to_rejection": _round(s.to_rejection),
        "rejections_by_stage": s.rejections_by_stage,
        "median_bounce_back_days": _round(s.bounce),
    }
    out["nudges"] = nudges(out, s, now)
    return out


def _saved_hint(first: dict[str, Any] | None, now: datetime) -> str:
    if not first:
        return ""
    days = int(_days(first["created_at"], now) or 0)
    what = f"{first['company']}'s {first['role']}" if first["role"] else first["company"]
    if days < 1:
        return f" {what} is on your list."
    return f" {what} has been on your list for {days} day{'s' if days != 1 else ''}."


def nudges(f: dict[str, Any], s: Snapshot, now: datetime) -> list[str]:
    out: list[str] = []
    c = f["concentration"]
    hint = _saved_hint(s.first_saved, now)
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
    for a in s.quiet:  # the most recent first: those check-ins are still worth sending
        days_quiet = int(_days(a["last_contact_at"], now) or 0)
        what = f" about {a['role']}" if a["role"] else ""
        out.append(
            f"{a['company']} has not written for {days_quiet} days{what}: a short, "
            "polite check-in is worth sending."
        )
    if f["ghosted"] > 3:
        out.append(
            f"{f['ghosted'] - 3} more applications have gone quiet "
            "(`onward list --status ghosted`)."
        )
    return out


def followup_figures(rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Feedback asked for and received, and the reminders that are due."""

    def due(r: dict[str, Any], key: str) -> bool:
        at = r.get(key)
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=now.tzinfo)
        return at is not None and at <= now and r.get("reply_email_id") is None

    def company(r: dict[str, Any]) -> str:
        return str(r.get("company") or r.get("to_addr") or r.get("subject") or "?")

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
