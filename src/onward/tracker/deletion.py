"""Deleting an application entered by mistake, and undoing that.

A delete is a batch in the journal (`onward batches`), like an archive run: it keeps, as JSON,
the application's row, its events and the links that pointed at it, so `onward undo` puts back
exactly what was there. The emails are never deleted: they lose their link and wait in the link
review, and an undo links again those the person has not linked elsewhere meanwhile. Ids are
never handed out twice (migration 0007), so the restored rows get their own ids back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Table, delete, select, update

from onward.errors import NotFound
from onward.store.schema import applications, batches, checkins, emails, events, followups
from onward.tracker.repo import Tracker, TrackerError

SOURCE = "tracker"  # the batch's source: no mailbox, the tracker's own rows


@dataclass(frozen=True)
class Plan:
    """What deleting one application takes away (shown before asking)."""

    application: dict[str, Any]
    events: int
    emails: int

    def describe(self) -> str:
        a = self.application
        what = f"{a['role']} at {a['company']}" if a["role"] else a["company"]
        them = "it" if self.emails == 1 else "them"
        linked = (
            f", and unlinks {self.emails} email{'s' if self.emails != 1 else ''} (kept: "
            f"`onward review` lists {them} to link again)"
            if self.emails
            else ""
        )
        return (
            f"Deleting #{a['id']} ({what}, {a['status']}) removes it and its {self.events} "
            f"event{'s' if self.events != 1 else ''}{linked}."
        )


@dataclass(frozen=True)
class Restored:
    batch_id: int
    application_id: int
    company: str
    events: int
    emails: int
    left: int  # emails the person linked elsewhere since the delete: they stay where they are


def plan(t: Tracker, app_id: int) -> Plan:
    app = t.app(app_id)
    with t.engine.connect() as conn:
        n_events = len(conn.execute(_rows(events, events.c.application_id == app_id)).all())
        n_emails = len(conn.execute(_rows(emails, emails.c.application_id == app_id)).all())
    return Plan(app, n_events, n_emails)


def delete_application(t: Tracker, app_id: int) -> int:
    """Delete the application, keeping what an undo needs in a new batch; the batch's id."""
    t.app(app_id)
    with t.engine.begin() as conn:
        kept = _keep(conn, app_id)
        conn.execute(
            update(emails)
            .where(emails.c.application_id == app_id)
            .values(
                application_id=None,
                link_state="review",
                link_note=json.dumps(
                    {"reason": f"its application #{app_id} was deleted", "candidates": []}
                ),
            )
        )
        conn.execute(
            update(followups)
            .where(followups.c.application_id == app_id)
            .values(application_id=None)
        )
        event_ids = [e["id"] for e in kept["events"]]
        conn.execute(
            update(checkins)
            .where((checkins.c.application_id == app_id) | checkins.c.event_id.in_(event_ids))
            .values(application_id=None, event_id=None)
        )
        conn.execute(delete(events).where(events.c.application_id == app_id))
        conn.execute(delete(applications).where(applications.c.id == app_id))
        return _batch(conn, t.now, "delete", kept)


def last_undoable(t: Tracker) -> int | None:
    """The newest delete not yet undone."""
    undone = select(batches.c.undo_of).where(batches.c.undo_of.is_not(None))
    q = (
        select(batches.c.id)
        .where(batches.c.action == "delete", batches.c.id.not_in(undone))
        .order_by(batches.c.id.desc())
        .limit(1)
    )
    with t.engine.connect() as conn:
        return conn.execute(q).scalar()


def undo_delete(t: Tracker, batch_id: int) -> Restored:
    """Put back what the delete batch `batch_id` took away."""
    with t.engine.begin() as conn:
        batch = conn.execute(select(batches).where(batches.c.id == batch_id)).first()
        if batch is None or batch.action != "delete":
            raise NotFound(f"No delete batch {batch_id}.")
        if conn.execute(select(batches.c.id).where(batches.c.undo_of == batch_id)).first():
            raise TrackerError(f"Batch {batch_id} was already undone.")
        kept = json.loads(batch.undo_data)
        app = _from_json(applications, kept["application"])
        if conn.execute(select(applications.c.id).where(applications.c.id == app["id"])).first():
            raise TrackerError(f"Application #{app['id']} exists again; nothing was restored.")
        conn.execute(applications.insert().values(**app))
        relinked = _relink(conn, app["id"], kept["emails"])
        restored = _restore_events(conn, kept["events"], relinked)
        _restore_others(conn, app["id"], kept, restored)
        t._refresh(conn, app["id"])
        _batch(conn, t.now, "undo", {"application": {"id": app["id"]}}, undo_of=batch_id)
    return Restored(
        batch_id,
        app["id"],
        app["company"],
        len(restored),
        len(relinked),
        len(kept["emails"]) - len(relinked),
    )


def _keep(conn: Any, app_id: int) -> dict[str, Any]:
    app = conn.execute(_rows(applications, applications.c.id == app_id)).one()
    link_cols = (emails.c.id, emails.c.link_state, emails.c.link_note)
    return {
        "application": _to_json(app._mapping),
        "events": [
            _to_json(r._mapping)
            for r in conn.execute(_rows(events, events.c.application_id == app_id))
        ],
        "emails": [
            _to_json(r._mapping)
            for r in conn.execute(select(*link_cols).where(emails.c.application_id == app_id))
        ],
        "followups": list(
            conn.execute(
                select(followups.c.id).where(followups.c.application_id == app_id)
            ).scalars()
        ),
        "checkins": [
            _to_json(r._mapping)
            for r in conn.execute(
                select(checkins.c.id, checkins.c.event_id, checkins.c.application_id).where(
                    (checkins.c.application_id == app_id)
                    | checkins.c.event_id.in_(
                        select(events.c.id).where(events.c.application_id == app_id)
                    )
                )
            )
        ],
    }


def _relink(conn: Any, app_id: int, kept: list[dict[str, Any]]) -> set[int]:
    """Link again the emails still unlinked; the ids linked."""
    relinked = set()
    for e in kept:
        done = conn.execute(
            update(emails)
            .where(emails.c.id == e["id"], emails.c.application_id.is_(None))
            .values(application_id=app_id, link_state=e["link_state"], link_note=e["link_note"])
        ).rowcount
        if done:
            relinked.add(e["id"])
    return relinked


def _restore_events(conn: Any, kept: list[dict[str, Any]], relinked: set[int]) -> set[int]:
    """The events back, but not those of an email now linked elsewhere: its new application
    has that news already. The ids restored."""
    present = set(
        conn.execute(
            select(emails.c.id).where(
                emails.c.id.in_([e["email_id"] for e in kept if e["email_id"] is not None])
            )
        ).scalars()
    )
    restored = set()
    for row in kept:
        e = _from_json(events, row)
        if e["email_id"] is not None and e["email_id"] not in relinked:
            if e["email_id"] in present:
                continue
            e["email_id"] = None  # the email itself is gone (forgotten): the event stays
        conn.execute(events.insert().values(**e))
        restored.add(e["id"])
    return restored


def _restore_others(conn: Any, app_id: int, kept: dict[str, Any], restored: set[int]) -> None:
    """Follow-ups and check-ins that named the application (or its events) name them again."""
    if kept["followups"]:
        conn.execute(
            update(followups)
            .where(followups.c.id.in_(kept["followups"]), followups.c.application_id.is_(None))
            .values(application_id=app_id)
        )
    for c in kept["checkins"]:
        values: dict[str, Any] = {"application_id": c["application_id"]}
        if c["event_id"] in restored:
            values["event_id"] = c["event_id"]
        conn.execute(
            update(checkins)
            .where(
                checkins.c.id == c["id"],
                checkins.c.application_id.is_(None),
                checkins.c.event_id.is_(None),
            )
            .values(**values)
        )


def _batch(
    conn: Any, now: datetime, action: str, data: dict[str, Any], undo_of: int | None = None
) -> int:
    result = conn.execute(
        batches.insert().values(
            source=SOURCE,
            action=action,
            folder="",
            undo_of=undo_of,
            marks="{}",
            undo_data=json.dumps(data),
            created_at=now,
            finished_at=now,
        )
    )
    return int(result.inserted_primary_key[0])


def _rows(table: Table, where: Any) -> Any:
    return select(table).where(where).order_by(table.c.id)


def _to_json(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in dict(row).items()}


def _from_json(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A kept row as the table takes it: its dates read back (always with their zone)."""
    out = dict(row)
    for col in table.c:
        value = out.get(col.name)
        if isinstance(col.type, DateTime) and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            out[col.name] = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return out
