"""How an application moves: forward only, closed by a rejection, never reopened by stale mail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict

# Stages in the order a search moves through them.
STAGES = ("saved", "applied", "assessment", "interview", "offer")
CLOSED = ("rejected", "withdrawn")
ACTIVE = ("applied", "assessment", "interview")
STATUSES = STAGES + CLOSED + ("ghosted",)
# The stage an email of each kind is evidence of.
KIND_STAGE = {
    "application_received": "applied",
    "assessment": "assessment",
    "interview": "interview",
    "offer": "offer",
}
TRACKED_KINDS = frozenset(KIND_STAGE) | {"rejection"}


def rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def advance(status: str, reached: str, kind: str) -> tuple[str, str]:
    """(new status, furthest stage reached) after an event of `kind`.

    A rejection closes the application (the stage it closed at is `reached`) unless an offer
    was made; a confirmation arriving after an interview or a rejection changes nothing; a
    ghosted application comes back to life when the employer writes again.
    """
    if kind == "rejection":
        if status == "offer" or status in CLOSED:
            return status, reached
        return "rejected", reached
    stage = KIND_STAGE.get(kind)
    if stage is None:
        return status, reached
    new_reached = stage if rank(stage) > rank(reached) else reached
    if status in CLOSED:
        return status, new_reached if status != "rejected" else reached
    if status == "ghosted":
        return new_reached, new_reached
    return (new_reached if rank(new_reached) > rank(status) else status), new_reached


def is_active(status: str) -> bool:
    return status in ACTIVE


class State(TypedDict):
    """What an application's events say about it: the columns replay writes."""

    status: str
    reached: str
    applied_at: datetime | None
    first_response_at: datetime | None
    last_contact_at: datetime | None
    closed_at: datetime | None
    closed_stage: str
    response_days: float | None
    rejection_days: float | None


Event = tuple[str, datetime | None, str]  # (kind, when, via)


def replay(events: Sequence[Event], now: datetime | None = None, ghost_days: int = 21) -> State:
    """An application's state from its events (kind, when, via), oldest first.

    Replaying instead of updating in place makes merge, split and late-arriving mail safe:
    the state is always what the events say, in time order.
    """
    status, reached = "saved", "saved"
    out = State(
        status=status,
        reached=reached,
        applied_at=None,
        first_response_at=None,
        last_contact_at=None,
        closed_at=None,
        closed_stage="",
        response_days=None,
        rejection_days=None,
    )
    for kind, at, _via in events:
        if kind == "application_received":
            out["applied_at"] = out["applied_at"] or at
        if kind in ("assessment", "interview", "offer", "rejection"):
            out["first_response_at"] = out["first_response_at"] or at
        if kind != "saved" and at is not None:
            last = out["last_contact_at"]
            out["last_contact_at"] = at if last is None or at > last else last
        if kind == "withdrawn" and status not in CLOSED:
            status, out["closed_at"] = "withdrawn", at
            continue
        if kind == "rejection" and status not in CLOSED and status != "offer":
            if rank(reached) < rank("applied"):
                reached = "applied"  # a "no" means they had applied, whatever we saw
            out["closed_stage"], out["closed_at"] = reached, at
        status, reached = advance(status, reached, kind)
    last = out["last_contact_at"]
    if now is not None and is_active(status) and last is not None:
        if (now - last).days >= ghost_days:
            status = "ghosted"
    out["status"], out["reached"] = status, reached
    out["response_days"], out["rejection_days"] = spans(
        out["applied_at"], out["first_response_at"], out["closed_at"], status
    )
    return out


When = datetime | None


def spans(
    applied: When, responded: When, closed: When, status: str
) -> tuple[float | None, float | None]:
    """Days from applying to the first answer, and to the rejection (None when unknown or
    negative): stored beside the dates so medians over thousands come from an index."""

    def days(a: When, b: When) -> float | None:
        if a is None or b is None:
            return None
        d = (b - a).total_seconds() / 86400
        return d if d >= 0 else None

    return days(applied, responded), days(applied, closed) if status == "rejected" else None


def with_spans(app: dict[str, Any]) -> dict[str, Any]:
    """An application row with the spans replay would store (for rows written in bulk)."""
    response, rejection = spans(
        app["applied_at"], app["first_response_at"], app["closed_at"], app["status"]
    )
    return app | {"response_days": response, "rejection_days": rejection}
