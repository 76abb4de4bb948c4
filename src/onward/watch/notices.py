"""What a notification says and when it may be shown. Pure: rows and times in, text out.

A notification names the sender, the company and the role, and nothing else of the mail:
it may show on a locked screen or a phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TITLE = "onward"
CHECKIN_TITLE = "onward checkin"
# Good news deserves to be seen at once; kinds missing here get no notification.
GOOD_NEWS = {
    "interview": "Good news from {who}{about}: an invitation to interview.",
    "assessment": "A next step from {who}{about}: an assessment.",
    "offer": "Good news from {who}{about}: an offer.",
}
SHOWN_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


@dataclass(frozen=True)
class Notice:
    email_id: int
    kind: str
    title: str
    body: str
    hold_in_quiet_hours: bool


def clean(value: object) -> str:
    """A name from the mail as one short line: no control or direction characters."""
    text = " ".join(_CONTROL.sub(" ", str(value or "")).split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def confident(row: dict[str, Any], min_confidence: float) -> bool:
    return not row.get("needs_review") and float(row.get("confidence") or 0) >= min_confidence


def names(row: dict[str, Any]) -> tuple[str, str]:
    """(who, role): the application's own names first (the person's record), then the mail's."""
    who = row.get("app_company") or row.get("company") or row.get("from_name")
    who = clean(who or row.get("from_addr") or "an employer")
    return who, clean(row.get("app_role") or row.get("role") or "")


def notice_for(row: dict[str, Any], min_confidence: float) -> Notice | None:
    kind = str(row.get("kind") or "")
    if not confident(row, min_confidence):
        return None
    who, role = names(row)
    about = f" about {role}" if role else ""
    if kind == "rejection":
        body = f"A reply from {who}{about}. When you are ready, onward has a minute for you."
        return Notice(int(row["id"]), kind, CHECKIN_TITLE, body, hold_in_quiet_hours=True)
    if kind in GOOD_NEWS:
        body = GOOD_NEWS[kind].format(who=who, about=about)
        return Notice(int(row["id"]), kind, TITLE, body, hold_in_quiet_hours=False)
    return None


@dataclass
class Outbox:
    """Notices held through quiet hours, in order, released when they end."""

    held: list[Notice] = field(default_factory=list)

    def offer(self, notice: Notice, quiet_now: bool) -> list[Notice]:
        """What to show now: nothing when it must wait."""
        if notice.hold_in_quiet_hours and quiet_now:
            self.held.append(notice)
            return []
        return [notice]

    def release(self, quiet_now: bool) -> list[Notice]:
        if quiet_now or not self.held:
            return []
        out, self.held = self.held, []
        return out


Quiet = Callable[[], bool]
