"""Export applications with their events; import other trackers' CSV exports (Huntr, Teal,
a plain spreadsheet) without duplicating what is already there."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onward.classify.extract import norm_company
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


class ImportError_(Exception):
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
        raise ImportError_(f"No company column among: {', '.join(header)}.")
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


def read_csv(path: Path, existing: list[dict[str, Any]]) -> list[Row]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"Could not read {path} ({exc}).") from exc
    reader = csv.DictReader(io.StringIO(text))
    cols = map_columns(reader.fieldnames or [])
    have = {(a["company_key"], a["role_key"]) for a in existing}
    rows = []
    for rec in reader:
        company = (rec.get(cols["company"]) or "").strip()
        if not company:
            continue
        role = (rec.get(cols.get("role", ""), "") or "").strip()
        key = (norm_company(company), norm_role(role))
        rows.append(
            Row(
                company,
                role,
                map_status(rec.get(cols.get("status", ""), "") or ""),
                parse_date(rec.get(cols.get("date", ""), "") or ""),
                (rec.get(cols.get("url", ""), "") or "").strip(),
                (rec.get(cols.get("note", ""), "") or "").strip(),
                key in have,
            )
        )
        have.add(key)
    return rows


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
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*fields, "events"])
    for a in apps:
        evs = "; ".join(
            f"{iso(e['at'])} {e['kind']} ({e['via']})" for e in events_by_app.get(a["id"], [])
        )
        w.writerow([iso(a[k]) if a[k] is not None else "" for k in fields] + [evs])
    return buf.getvalue()
