"""Export applications with their events; import other trackers' CSV exports (Huntr, Teal,
a plain spreadsheet) without duplicating what is already there."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onward.classify.extract import norm_company
from onward.errors import BadInput
from onward.tracker.match import norm_role

COLUMNS = {
    "company": ("company", "company name", "employer", "organization", "organisation"),
    "role": ("title", "job title", "position", "role", "job", "job position"),
    "status": ("status", "stage", "list", "job status"),
    "date": (
        "date applied",
        "applied",
        "applied on",
        "applied date",
        "application date",
        "date",
        "created",
        "created at",
        "date saved",
    ),
    "url": ("url", "link", "job url", "job link", "posting url", "job posting url"),
    "note": ("notes", "note", "description", "comments"),
}
STATUS_WORDS = {
    "saved": ("wishlist", "saved", "bookmarked", "interested", "to apply", "want to apply"),
    "applied": ("applied", "applying", "submitted", "in progress", "pending"),
    "assessment": ("assessment", "test", "take-home", "screening"),
    "interview": ("interview", "interviewing", "phone screen", "onsite"),
    "offer": ("offer", "offered", "accepted"),
    "rejected": ("rejected", "declined", "not selected", "no", "closed", "rejection"),
    "withdrawn": ("withdrawn", "withdrew", "archived"),
}


# What makes a spreadsheet read a cell as a formula (OWASP's list, and the full-width forms that
# some spreadsheets fold to ASCII): a company from mail or a note typed by hand can start so.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Stored lengths for imported text; a company or role longer than this is not one.
FIELD_CAPS = {"company": 200, "role": 200, "url": 2000, "note": 20000}


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet shows but never runs: a leading ' before a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


class TransferError(BadInput):
    """A file that cannot be read as a tracker export."""


@dataclass
class Row:
    company: str
    role: str
    status: str
    date: datetime | None
    url: str
    note: str
    duplicate: bool = False


def map_columns(header: list[str]) -> dict[str, str]:
    lower = {h.strip().lower(): h for h in header}
    found = {}
    for field, names in COLUMNS.items():
        for n in names:
            if n in lower:
                found[field] = lower[n]
                break
    if "company" not in found:
        raise TransferError(f"No company column among: {', '.join(header)}.")
    return found


def map_status(value: str) -> str:
    v = value.strip().lower()
    for status, words in STATUS_WORDS.items():
        if v in words or any(v.startswith(w) for w in words if len(w) > 3):
            return status
    return "applied"


def parse_date(value: str) -> datetime | None:
    v = value.strip()
    for fmt in (
        "%Y-%m-%d",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%m/%d/%Y",
        "%d/%m/%Y",
        "%b %d, %Y",
        "%d %b %Y",
        "%Y/%m/%d",
    ):
        try:
            return datetime.strptime(v[:19], fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        dt = datetime.fromisoformat(v)
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    except ValueError:
        return None


@contextmanager
def _field_limit(size: int) -> Iterator[None]:
    """The csv module refuses fields over 128 KB, process-wide; the whole file is in memory
    already, so a limit of its size costs nothing and lets one huge note be cut, not fatal."""
    old = csv.field_size_limit(max(size, csv.field_size_limit()))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _capped(
    rec: dict[str, str | None], cols: dict[str, str], field: str, row: int, notes: list[str]
) -> str:
    value = (rec.get(cols.get(field, ""), "") or "").strip()
    cap = FIELD_CAPS[field]
    if len(value) > cap:
        notes.append(
            f"Row {row}: the {cols[field]} field has {len(value):,} characters; "
            f"onward kept the first {cap:,}."
        )
        value = value[:cap].strip()
    return value


def _rows(
    reader: csv.DictReader[str],
    cols: dict[str, str],
    existing: list[dict[str, Any]],
    notes: list[str],
) -> list[Row]:
    have = {(a["company_key"], a["role_key"]) for a in existing}
    rows, formulas = [], 0
    for number, rec in enumerate(reader, start=2):  # row 1 is the header
        text = {f: _capped(rec, cols, f, number, notes) for f in FIELD_CAPS}
        if not text["company"]:
            continue
        formulas += sum(v.startswith(FORMULA_START) for v in text.values())
        company, role, url, note = (neutralise(text[f]) for f in ("company", "role", "url", "note"))
        key = (norm_company(company), norm_role(role))
        status = map_status(rec.get(cols.get("status", ""), "") or "")
        date = parse_date(rec.get(cols.get("date", ""), "") or "")
        rows.append(Row(company, role, status, date, url, note, key in have))
        have.add(key)
    if formulas:
        notes.append(
            f"{formulas} cell(s) began with =, +, - or @: onward keeps them with a "
            "leading ' so that no spreadsheet runs them as formulas."
        )
    return rows


def read_csv(path: Path, existing: list[dict[str, Any]]) -> tuple[list[Row], list[str]]:
    """The file's rows, and one sentence for each thing onward changed while reading them."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TransferError(f"Could not read {path} ({exc}).") from exc
    notes: list[str] = []
    with _field_limit(len(text) + 1):
        reader = csv.DictReader(io.StringIO(text))
        try:
            return _rows(reader, map_columns(list(reader.fieldnames or [])), existing, notes), notes
        except csv.Error as exc:
            raise TransferError(
                f"Line {reader.line_num} of {path.name} is not valid CSV ({exc})."
            ) from exc


def export(
    apps: list[dict[str, Any]], events_by_app: dict[int, list[dict[str, Any]]], fmt: str
) -> str:
    def iso(v: Any) -> Any:
        return v.isoformat() if isinstance(v, datetime) else v

    fields = [
        "id",
        "company",
        "role",
        "status",
        "reached",
        "closed_stage",
        "source",
        "url",
        "note",
        "created_at",
        "applied_at",
        "first_response_at",
        "closed_at",
        "last_contact_at",
    ]
    if fmt == "json":
        out = [
            {k: iso(a[k]) for k in fields}
            | {
                "events": [
                    {k: iso(e[k]) for k in ("kind", "at", "via", "note", "email_id")}
                    for e in events_by_app.get(a["id"], [])
                ]
            }
            for a in apps
        ]
        return json.dumps({"applications": out}, indent=1, ensure_ascii=False)
    # Company, role and notes come from mail and from the person: no cell may be a formula.
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*fields, "events"])
    for a in apps:
        evs = "; ".join(
            f"{iso(e['at'])} {e['kind']} ({e['via']})" for e in events_by_app.get(a["id"], [])
        )
        cells = [iso(a[k]) if a[k] is not None else "" for k in fields] + [evs]
        w.writerow([neutralise(c) if isinstance(c, str) else c for c in cells])
    return buf.getvalue()
