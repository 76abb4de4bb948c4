"""A person's correction of a verdict, applied the same way from the command line and the
dashboard: recorded (the classifier learns from it), the email read again for its new kind
(employer, role, mailer), and offered to the tracker again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onward.classify.service import label
from onward.store import Store
from onward.tracker.repo import Tracker


@dataclass(frozen=True)
class Corrected:
    before: dict[str, Any]  # the email as it was stored before the correction
    after: dict[str, Any]  # and as it is now, linked or waiting in review


def correct(store: Store, message_id: str, kind: str) -> Corrected:
    """Record that the email with this Message-ID (or onward id) is of `kind`."""
    found = label(store, message_id, kind)
    tracker = Tracker(store)
    tracker.reconsider(found[0], kind)
    tracker.link_pending()
    return Corrected(found[0], store.find_emails(str(found[0]["id"]))[0])
