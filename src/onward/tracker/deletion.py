"""Deleting an application entered by mistake, and undoing that: the rules (what exists, what
may be undone, the status replayed after) around the rows `store.deletion` keeps and puts back.
"""

from __future__ import annotations

from onward.store import deletion as rows
from onward.store.deletion import Plan, Restored
from onward.tracker.repo import NotFound, Tracker, TrackerError

__all__ = ["Plan", "Restored", "delete_application", "last_undoable", "plan", "undo_delete"]


def plan(t: Tracker, app_id: int) -> Plan:
    app = t.app(app_id)
    with t.engine.connect() as conn:
        n_events, n_emails = rows.counts(conn, app_id)
    return Plan(app, n_events, n_emails)


def delete_application(t: Tracker, app_id: int) -> int:
    """Delete the application, keeping what an undo needs in a new batch; the batch's id."""
    t.app(app_id)
    with t.engine.begin() as conn:
        return rows.delete(conn, app_id, t.now)


def last_undoable(t: Tracker) -> int | None:
    """The newest delete not yet undone."""
    with t.engine.connect() as conn:
        return rows.last_undoable(conn)


def undo_delete(t: Tracker, batch_id: int) -> Restored:
    """Put back what the delete batch `batch_id` took away."""
    with t.engine.begin() as conn:
        kept = rows.kept(conn, batch_id)
        if kept is None:
            raise NotFound(f"No delete batch {batch_id}.")
        if kept.undone:
            raise TrackerError(f"Batch {batch_id} was already undone.")
        if kept.id_taken:
            raise TrackerError(
                f"Application #{kept.application['id']} exists again; nothing was restored."
            )
        restored = rows.restore(conn, batch_id, kept, t.now)
        t._refresh(conn, restored.application_id)
    return restored
