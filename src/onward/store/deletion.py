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

from sqlalchemy import Connection, DateTime, Table, func, select, update
from sqlalchemy import delete as sql_delete

from onward.store.schema import applications, batches, checkins, emails, events, followups

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
class Kept:
    """A delete batch as an undo reads it."""

    data: dict[str, Any]  # the JSON the delete kept
    application: dict[str, Any]  # its row, ready to insert again
    undone: bool
    id_taken: bool  # an application with its id exists again


@dataclass(frozen=True)
class Restored:
    batch_id: int
    application_id: int
    company: str
    events: int
    emails: int
    left: int  # emails the person linked elsewhere since the delete: they stay where they are


def counts(conn: Connection, app_id: int) -> tuple[int, int]:
    """How many events an application has, and how many emails are linked to it."""
    n_events = conn.execute(select(func.count()).where(events.c.application_id == app_id))
    n_emails = conn.execute(select(func.count()).where(emails.c.application_id == app_id))
    return int(n_events.scalar() or 0), int(n_emails.scalar() or 0)


def delete(conn: Connection, app_id: int, now: datetime) -> int:
    """Delete the application, keeping what an undo needs in a new batch; the batch's id.
    Its emails wait in the link review; follow-ups and check-ins lose the link."""
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
        update(followups).where(followups.c.application_id == app_id).values(application_id=None)
    )
    event_ids = [e["id"] for e in kept["events"]]
    conn.execute(
        update(checkins)
        .where((checkins.c.application_id == app_id) | checkins.c.event_id.in_(event_ids))
        .values(application_id=None, event_id=None)
    )
    conn.execute(sql_delete(events).where(events.c.application_id == app_id))
    conn.execute(sql_delete(applications).where(applications.c.id == app_id))
    return _batch(conn, now, "delete", kept)


def last_undoable(conn: Connection) -> int | None:
    """The newest delete not yet undone."""
    undone = select(batches.c.undo_of).where(batches.c.undo_of.is_not(None))
    q = (
        select(batches.c.id)
        .where(batches.c.action == "delete", batches.c.id.not_in(undone))
        .order_by(batches.c.id.desc())
        .limit(1)
    )
    return conn.execute(q).scalar()


def kept(conn: Connection, batch_id: int) -> Kept | None:
    """What the delete batch `batch_id` took away (None when there is no such delete)."""
    batch = conn.execute(select(batches).where(batches.c.id == batch_id)).first()
    if batch is None or batch.action != "delete":
        return None
    undone = conn.execute(select(batches.c.id).where(batches.c.undo_of == batch_id)).first()
    data = json.loads(batch.undo_data)
    app = _from_json(applications, data["application"])
    there = conn.execute(select(applications.c.id).where(applications.c.id == app["id"]))
    return Kept(data, app, undone is not None, there.first() is not None)


def restore(conn: Connection, batch_id: int, k: Kept, now: datetime) -> Restored:
    """Put back what the delete took away, as `kept` read it, and journal the undo. The
    application's status is the caller's to replay."""
    conn.execute(applications.insert().values(**k.application))
    app_id = k.application["id"]
    relinked = _relink(conn, app_id, k.data["emails"])
    restored = _restore_events(conn, k.data["events"], relinked)
    _restore_others(conn, app_id, k.data, restored)
    _batch(conn, now, "undo", {"application": {"id": app_id}}, undo_of=batch_id)
    return Restored(
        batch_id,
        app_id,
        k.application["company"],
        len(restored),
        len(relinked),
        len(k.data["emails"]) - len(relinked),
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
