"""The classifier as the rest of onward uses it: shipped weights plus the person's corrections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from onward.classify import KINDS
from onward.classify.errors import LabelError
from onward.classify.extract import extract_for
from onward.classify.learn import LocalAdjustment
from onward.classify.model import Classifier, shipped
from onward.mail.model import Address, Email


class Corrections(Protocol):
    """Where the person's corrections live (the store); classify itself does no I/O."""

    def corrections(self) -> list[dict[str, Any]]: ...
    def find_emails(self, message_id: str) -> list[dict[str, Any]]: ...
    def add_correction(
        self, email: dict[str, Any], kind: str, read: Mapping[str, str] | None = None
    ) -> None: ...


def correction_email(row: dict[str, Any]) -> Email:
    return Email(
        message_id=row.get("message_id", ""),
        fingerprint="",
        subject=row.get("subject", ""),
        sender=Address(row.get("from_name", ""), row.get("from_addr", "")),
        text=row.get("body", ""),
    )


def classifier_for(store: Corrections | None) -> Classifier:
    weights = shipped()
    rows = store.corrections() if store is not None else []
    if not rows:
        return Classifier(weights)
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:  # a later correction of the same message replaces an earlier one
        latest[row["message_id"] or f"id:{row['id']}"] = row
    examples = [(correction_email(r), r["kind"]) for r in latest.values()]
    return Classifier(weights, LocalAdjustment.learn(weights, examples))


def label(store: Corrections, message_id: str, kind: str) -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise LabelError(f"{kind!r} is not a kind; use one of: {', '.join(KINDS)}.")
    found = store.find_emails(message_id)
    if not found:
        raise LabelError(f"No scanned email has the Message-ID or id {message_id!r}.")
    read = extract_for(kind, correction_email(found[0]))
    store.add_correction(
        found[0], kind, {"company": read.company, "role": read.role, "ats": read.ats}
    )
    return found
