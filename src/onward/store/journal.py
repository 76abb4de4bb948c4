"""The move journal: every move is written here, synced to disk, before it is sent, and
confirmed after.

A batch is one `onward archive` (or `onward undo`) run on one source. Entries still
`pending` at the start of a run are the ones a crash interrupted; they are reconciled first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select

from onward.mail.movers.base import Move, Outcome
from onward.store.db import Store
from onward.store.schema import batches, emails, locations, moves

# What each batch action leaves the email as, once a move is done.
DONE_STATE = {"archive": "archived", "undo": "restored"}
FINAL_STATE = {"gone": "missing", "conflict": "conflict"}


class Journal:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # what to move ------------------------------------------------------------------------
    def _candidate_query(self, min_confidence: float) -> Any:
        return (
            select(
                emails.c.id,
                # Where the message is, not which source stored it first: it may be in several.
                locations.c.source,
                emails.c.message_id,
                emails.c.fingerprint,
                emails.c.subject,
                emails.c.from_addr,
                emails.c.company,
                emails.c.confidence,
                locations.c.folder,
                locations.c.key,
                locations.c.uidvalidity,
            )
            .join(locations, locations.c.email_id == emails.c.id)
            .where(
                emails.c.kind == "rejection",
                emails.c.needs_review.is_not(True),
                emails.c.confidence >= min_confidence,
                emails.c.archive_state == "",
            )
        )

    def candidate_sources(self, min_confidence: float) -> list[str]:
        q = self._candidate_query(min_confidence).subquery()
        pending = select(batches.c.source).join(moves, moves.c.batch_id == batches.c.id)
        with self.engine.connect() as conn:
            found = {r[0] for r in conn.execute(select(q.c.source).distinct())}
            found |= {
                r[0] for r in conn.execute(pending.where(moves.c.state == "pending").distinct())
            }
        return sorted(found)

    def candidates(
        self, source: str, archive_folder: str, min_confidence: float
    ) -> list[dict[str, Any]]:
        q = self._candidate_query(min_confidence).where(
            locations.c.source == source, locations.c.folder != archive_folder
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q.order_by(emails.c.id, locations.c.id))]
        return rows

    # batches -----------------------------------------------------------------------------
    def open_batch(
        self,
        source: str,
        action: str,
        folder: str,
        marks: dict[str, Any],
        undo_of: int | None = None,
    ) -> int:
        with self.engine.begin() as conn:
            res = conn.execute(
                batches.insert().values(
                    source=source,
                    action=action,
                    folder=folder,
                    undo_of=undo_of,
                    marks=json.dumps(marks),
                    created_at=datetime.now(UTC),
                )
            )
            pk = res.inserted_primary_key
            assert pk is not None
            return int(pk[0])

    def unfinished(
        self, source: str, action: str, folder: str, undo_of: int | None = None
    ) -> int | None:
        """A batch a crash interrupted: the next run carries it on, so one undo undoes it all."""
        q = select(batches.c.id).where(
            batches.c.source == source,
            batches.c.action == action,
            batches.c.folder == folder,
            batches.c.finished_at.is_(None),
        )
        if undo_of is not None:
            q = q.where(batches.c.undo_of == undo_of)
        else:
            q = q.where(
                batches.c.id.not_in(select(batches.c.undo_of).where(batches.c.undo_of.is_not(None)))
            )
        with self.engine.connect() as conn:
            return conn.execute(q.order_by(batches.c.id.desc()).limit(1)).scalar()

    def drop_if_empty(self, batch_id: int) -> bool:
        """Delete a batch that journaled nothing (its run failed first); True if it was."""
        with self.engine.begin() as conn:
            has = conn.execute(select(moves.c.id).where(moves.c.batch_id == batch_id).limit(1))
            if has.first() is not None:
                return False
            conn.execute(batches.delete().where(batches.c.id == batch_id))
            return True

    def finish_batch(self, batch_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                batches.update()
                .where(batches.c.id == batch_id)
                .values(finished_at=datetime.now(UTC))
            )

    def batch(self, batch_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.id == batch_id)).first()
        return dict(row._mapping) if row else None

    def batches(self, limit: int = 20) -> list[dict[str, Any]]:
        counts = (
            select(
                moves.c.batch_id,
                func.count().label("moves"),
                func.sum((moves.c.state == "done").cast(type_=moves.c.id.type)).label("done"),
            )
            .group_by(moves.c.batch_id)
            .subquery()
        )
        q = (
            select(batches, counts.c.moves, counts.c.done)
            .join(counts, counts.c.batch_id == batches.c.id, isouter=True)
            .order_by(batches.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
            ends = conn.execute(
                select(moves.c.batch_id, moves.c.to_folder)
                .where(moves.c.batch_id.in_([r["id"] for r in rows]))
                .distinct()
            ).all()
        for r in rows:
            r["to_folders"] = sorted(to for b, to in ends if b == r["id"])
        return rows

    def last_undoable(self) -> int | None:
        """The newest archive batch not yet undone (an interrupted undo is carried on)."""
        undone = select(batches.c.undo_of).where(
            batches.c.undo_of.is_not(None), batches.c.finished_at.is_not(None)
        )
        q = (
            select(batches.c.id)
            .where(batches.c.action == "archive", batches.c.id.not_in(undone))
            .where(
                select(moves.c.id)
                .where(moves.c.batch_id == batches.c.id, moves.c.state == "done")
                .exists()
            )
            .order_by(batches.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()

    def undone_by(self, batch_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(batches).where(batches.c.undo_of == batch_id).order_by(batches.c.id).limit(1)
            ).first()
        return dict(row._mapping) if row else None

    # entries -----------------------------------------------------------------------------
    def write_pending(self, batch_id: int, items: Sequence[Move]) -> None:
        """Journal the moves about to be sent, in one transaction, before sending them."""
        now = datetime.now(UTC)
        rows = [
            {
                "batch_id": batch_id,
                "email_id": m.email_id,
                "message_id": m.message_id,
                "from_folder": m.from_folder,
                "from_key": m.from_key,
                "from_uidvalidity": m.from_uidvalidity,
                "to_folder": m.to_folder,
                "state": "pending",
                "created_at": now,
            }
            for m in items
        ]
        if not rows:
            return
        # Durable: after a power cut, a move the server made must still find its entry here.
        with self.store.durable() as conn:
            ids = conn.execute(
                moves.insert().returning(moves.c.id, sort_by_parameter_order=True), rows
            ).scalars()
            for m, id_ in zip(items, ids, strict=True):
                m.id = int(id_)

    def record_skipped(self, batch_id: int, items: Iterable[tuple[Move, str]]) -> None:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            for m, why in items:
                conn.execute(
                    moves.insert().values(
                        batch_id=batch_id,
                        email_id=m.email_id,
                        message_id=m.message_id,
                        from_folder=m.from_folder,
                        from_key=m.from_key,
                        from_uidvalidity=m.from_uidvalidity,
                        to_folder=m.to_folder,
                        state="gone",
                        note=why,
                        created_at=now,
                        confirmed_at=now,
                    )
                )
                if m.email_id is not None:
                    conn.execute(
                        emails.update()
                        .where(emails.c.id == m.email_id)
                        .values(archive_state="missing")
                    )

    def _moves(self, where: Any) -> list[tuple[Move, dict[str, Any]]]:
        q = (
            select(moves, batches.c.action, batches.c.source, batches.c.marks, emails.c.fingerprint)
            .join(batches, batches.c.id == moves.c.batch_id)
            .outerjoin(emails, emails.c.id == moves.c.email_id)
            .where(where)
            .order_by(moves.c.id)
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        return [(_move(r), r) for r in rows]

    def pending(self, source: str) -> list[tuple[Move, dict[str, Any]]]:
        return self._moves(and_(batches.c.source == source, moves.c.state == "pending"))

    def done_moves(self, batch_id: int, email_state: str | None = None) -> list[Move]:
        """The batch's completed moves; with `email_state`, only of emails still in that state."""
        where = and_(moves.c.batch_id == batch_id, moves.c.state == "done")
        if email_state is not None:
            still = select(emails.c.id).where(emails.c.archive_state == email_state)
            where = and_(where, moves.c.email_id.in_(still))
        return [m for m, _ in self._moves(where)]

    def pending_count(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).where(moves.c.state == "pending")).scalar() or 0
            )

    def confirm(
        self,
        source: str,
        action: str,
        items: dict[int, Move],
        outcomes: Iterable[Outcome],
        relocate: bool,
    ) -> None:
        """Record what happened to each journaled move, and where each email now lives."""
        now = datetime.now(UTC)
        entries, states, gone, placed = [], [], [], []
        for o in outcomes:
            m = items[o.id]
            entries.append(
                {
                    "b_id": o.id,
                    "b_state": o.state,
                    "b_key": o.to_key,
                    "b_validity": o.to_uidvalidity,
                    "b_note": o.note,
                }
            )
            state = DONE_STATE[action] if o.state == "done" else FINAL_STATE.get(o.state)
            if m.email_id is None or state is None:
                continue
            states.append({"b_email": m.email_id, "b_archive": state})
            if o.state == "done" and relocate:
                gone.append(
                    {
                        "b_folder": m.from_folder,
                        "b_validity": m.from_uidvalidity,
                        "b_key": m.from_key,
                    }
                )
                if o.to_key:
                    placed.append(
                        {
                            "email_id": m.email_id,
                            "source": source,
                            "folder": m.to_folder,
                            "uidvalidity": o.to_uidvalidity,
                            "key": o.to_key,
                        }
                    )
        if not entries:
            return
        with self.engine.begin() as conn:
            conn.execute(
                moves.update()
                .where(moves.c.id == bindparam("b_id"))
                .values(
                    state=bindparam("b_state"),
                    to_key=bindparam("b_key"),
                    to_uidvalidity=bindparam("b_validity"),
                    note=bindparam("b_note"),
                    confirmed_at=now,
                ),
                entries,
            )
            if states:
                conn.execute(
                    emails.update()
                    .where(emails.c.id == bindparam("b_email"))
                    .values(archive_state=bindparam("b_archive")),
                    states,
                )
            if gone:
                conn.execute(
                    locations.delete().where(
                        locations.c.source == source,
                        locations.c.folder == bindparam("b_folder"),
                        locations.c.uidvalidity == bindparam("b_validity"),
                        locations.c.key == bindparam("b_key"),
                    ),
                    gone,
                )
            if placed:
                conn.execute(
                    self.store._insert(locations).on_conflict_do_nothing(
                        index_elements=["source", "folder", "uidvalidity", "key"]
                    ),
                    placed,
                )


def _move(r: dict[str, Any]) -> Move:
    return Move(
        message_id=r["message_id"],
        from_folder=r["from_folder"],
        from_key=r["from_key"],
        to_folder=r["to_folder"],
        from_uidvalidity=int(r["from_uidvalidity"] or 0),
        to_key=r["to_key"],
        to_uidvalidity=int(r["to_uidvalidity"] or 0),
        email_id=r["email_id"],
        id=r["id"],
        fingerprint=r["fingerprint"] or "",
    )
