"""Archive rejections, never delete them: journaled moves, reconciled after a crash, undoable.

For each source: first settle what an earlier run left pending, then plan (`plan_archive`:
which rejections move, which stay and why, by reading only), then carry out exactly that
plan in chunks; a dry run shows the plan. Each chunk is journaled (committed) before the
server hears of it and confirmed after, so whatever fails midway, the next run knows what
to check.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from onward.errors import BadInput
from onward.mail.movers.base import Located, Move, MoveError, Mover
from onward.progress import NoProgress, Progress

if TYPE_CHECKING:
    from onward.store.journal import Journal

DEFAULT_FOLDER = "Job search/Rejections"
DEFAULT_MIN_CONFIDENCE = 0.8
CHUNK = 250


@dataclass
class ArchiveOptions:
    folder: str = DEFAULT_FOLDER
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    dry_run: bool = False
    # Only these emails (by id), for `onward watch`, which files each rejection once it is read.
    only: frozenset[int] | None = None
    source: str | None = None  # and only in this account


NO_MESSAGE_ID = "it has no Message-ID, so a move could not be checked"


@dataclass(slots=True)
class Planned:
    """A message the run moves, with its stored row (what to show the person)."""

    move: Move
    row: dict[str, Any]


@dataclass
class Plan:
    """What archiving does on one source, decided before anything is written.

    The run journals and makes exactly `moves`, each located: where the database says, or
    found again by Message-ID and header fingerprint. It journals `missing` as gone and
    leaves `unchecked` (no Message-ID) alone. `pending` counts the entries an interrupted
    run left: a real run reconciles them before it plans, so then it is 0; a dry run only
    counts them, and sets apart in `unsettled` the messages whose fate they decide.
    """

    source: str
    folder: str  # the archive folder, as this store spells it
    moves: list[Planned] = field(default_factory=list)
    missing: list[tuple[Planned, str]] = field(default_factory=list)
    unchecked: list[dict[str, Any]] = field(default_factory=list)
    unsettled: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 0

    def left(self) -> list[tuple[dict[str, Any], str]]:
        """Each message the run leaves where it is, with why."""
        return [(r, NO_MESSAGE_ID) for r in self.unchecked] + [
            (p.row, why) for p, why in self.missing
        ]


@dataclass
class Report:
    plans: list[Plan] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    planned: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    reconciled: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    commands: Counter[str] = field(default_factory=Counter)
    batches: list[int] = field(default_factory=list)
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "moved": len(self.moved),
            "planned": len(self.planned),
            "skipped": len(self.skipped),
            "reconciled": dict(self.reconciled),
            "problems": self.problems,
            "commands": dict(self.commands),
            "batches": self.batches,
        }


MoverFactory = Callable[[str], Mover]


def _chunks(items: list[Move], n: int = CHUNK) -> Iterator[list[Move]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def reconcile(journal: Journal, mover: Mover, report: Report) -> None:
    """Settle moves an interrupted run left pending: each message ends in exactly one place."""
    pending = journal.pending(mover.name)
    by_batch: dict[int, list[tuple[Move, dict[str, Any]]]] = {}
    for m, row in pending:
        by_batch.setdefault(row["batch_id"], []).append((m, row))
    for entries in by_batch.values():
        row = entries[0][1]
        items = {m.id: m for m, _ in entries}
        outcomes = mover.reconcile(list(items.values()), json.loads(row["marks"] or "{}"))
        journal.confirm(mover.name, row["action"], items, outcomes, relocate=mover.relocates)
        report.reconciled.update(o.state for o in outcomes)


def run_moves(
    journal: Journal,
    mover: Mover,
    batch: Callable[[], int],
    located: Located,
    report: Report,
    progress: Progress,
    action: str,
) -> None:
    """Journal and move the located messages in chunks; `batch` opens (or resumes) the batch.

    The caller locates first, so a run that fails there leaves no batch behind; a batch that
    journaled nothing before its run failed is dropped.
    """
    batch_id = batch()
    report.batches.append(batch_id)
    try:
        _journaled_moves(journal, mover, batch_id, located, report, progress, action)
    except BaseException:
        with suppress(Exception):  # the first failure is the one to report
            if journal.drop_if_empty(batch_id):
                report.batches.remove(batch_id)
        raise


def _journaled_moves(
    journal: Journal,
    mover: Mover,
    batch_id: int,
    located: Located,
    report: Report,
    progress: Progress,
    action: str,
) -> None:
    if located.missing:
        journal.record_skipped(batch_id, located.missing)
        report.skipped.extend(
            {"message_id": m.message_id, "why": why} for m, why in located.missing
        )
    progress.start(len(located.found), "messages")
    for chunk in _chunks(located.found):
        journal.write_pending(batch_id, chunk)
        outcomes = mover.move(chunk)
        items = {m.id: m for m in chunk}
        journal.confirm(mover.name, action, items, outcomes, relocate=mover.relocates)
        for o in outcomes:
            entry = {
                "message_id": items[o.id].message_id,
                "state": o.state,
                "to": items[o.id].to_folder,
            }
            (report.moved if o.state == "done" else report.skipped).append(entry)
        progress.advance(len(chunk), 0)
    journal.finish_batch(batch_id)


def archive(
    journal: Journal,
    movers: MoverFactory,
    options: ArchiveOptions,
    progress: Progress | None = None,
) -> Report:
    """Plan each source; then, unless this is a dry run, carry out exactly that plan.

    A real run settles what an interrupted run left pending before it plans, so the plan
    sees the mail as it now is; a dry run only counts those entries (see `plan_archive`).
    """
    report = Report()
    progress = progress or NoProgress()
    for source in journal.candidate_sources(options.min_confidence):
        if options.source is not None and source != options.source:
            continue
        try:
            mover = movers(source)
        except Exception as exc:  # an account removed since, a path gone: say so, go on
            report.problems.append(f"{source}: {exc}")
            report.failed += 1
            continue
        with _using(mover, report):
            if not options.dry_run:
                reconcile(journal, mover, report)
            plan = plan_archive(journal, mover, options)
            report.plans.append(plan)
            if options.dry_run:
                report.planned.extend({**p.row, "to": plan.folder} for p in plan.moves)
            else:
                carry_out(journal, mover, plan, report, progress)
    return report


@contextmanager
def _using(mover: Mover, report: Report) -> Iterator[None]:
    """A mover's failure is reported in one sentence; its commands are counted; it is closed."""
    try:
        yield
    except MoveError as exc:
        report.problems.append(f"{mover.name}: {exc}")
        report.failed += 1
    finally:
        report.commands.update(mover.commands)
        mover.close()


def plan_archive(journal: Journal, mover: Mover, options: ArchiveOptions) -> Plan:
    """What archiving does on `mover`'s source, decided by reading only: the database, and the
    mail store to locate each message (IMAP: EXAMINE, FETCH and SEARCH; no flag changes).

    Moves an interrupted run left pending are not reconciled here: reconciling writes (it
    removes a copy left behind on the server, appends to an export's mbox, marks mail
    archived), so a dry run must not do it, and the messages it concerns are set apart.
    """
    folder = mover.folder_name(options.folder)
    pending = journal.pending(mover.name)
    plan = Plan(mover.name, folder, pending=len(pending))
    unsettled = {m.email_id for m, _ in pending}
    rows = journal.candidates(mover.name, folder, options.min_confidence)
    if options.only is not None:
        rows = [r for r in rows if r["id"] in options.only]
    todo: dict[int, Planned] = {}  # by id() of its Move: locate hands back the same objects
    seen: set[tuple[str, str]] = set()
    for r in rows:
        if r["id"] in unsettled:
            plan.unsettled.append(r)
        elif not r["message_id"]:
            plan.unchecked.append(r)
        elif (r["folder"], r["key"]) not in seen:
            seen.add((r["folder"], r["key"]))
            p = Planned(_candidate_move(r, folder), r)
            todo[id(p.move)] = p
    if todo:
        located = mover.locate([p.move for p in todo.values()])
        plan.moves = [todo[id(m)] for m in located.found]
        plan.missing = [(todo[id(m)], why) for m, why in located.missing]
    return plan


def _candidate_move(r: dict[str, Any], folder: str) -> Move:
    return Move(
        message_id=r["message_id"],
        from_folder=r["folder"],
        from_key=r["key"],
        from_uidvalidity=int(r["uidvalidity"] or 0),
        to_folder=folder,
        email_id=r["id"],
        fingerprint=r["fingerprint"] or "",
    )


def carry_out(
    journal: Journal, mover: Mover, plan: Plan, report: Report, progress: Progress
) -> None:
    """Journal and make exactly the plan's moves, and journal what it found missing."""
    report.skipped.extend({"email_id": r["id"], "why": NO_MESSAGE_ID} for r in plan.unchecked)
    if not plan.moves and not plan.missing:
        stale = journal.unfinished(mover.name, "archive", plan.folder)
        if stale:  # everything an interrupted batch still had was settled by reconciling
            journal.finish_batch(stale)
        return
    marks = mover.prepare([plan.folder])

    def batch() -> int:
        return journal.unfinished(mover.name, "archive", plan.folder) or journal.open_batch(
            mover.name, "archive", plan.folder, marks
        )

    located = Located([p.move for p in plan.moves], [(p.move, why) for p, why in plan.missing])
    run_moves(journal, mover, batch, located, report, progress, "archive")


def undo(
    journal: Journal, movers: MoverFactory, batch_id: int | None, progress: Progress | None = None
) -> Report:
    """Move a batch back to where each message came from (journaled like any move)."""
    report = Report()
    progress = progress or NoProgress()
    target = batch_id or journal.last_undoable()
    batch = journal.batch(target) if target else None
    if batch is None or batch["action"] != "archive":
        raise UndoError(
            "There is no archive batch to undo." if not target else f"No archive batch {target}."
        )
    earlier = journal.undone_by(batch["id"])
    if earlier and earlier["finished_at"] is not None:
        raise UndoError(f"Batch {batch['id']} was already undone.")
    mover = movers(batch["source"])
    with _using(mover, report):
        reconcile(journal, mover, report)
        back = [
            Move(
                message_id=m.message_id,
                from_folder=m.to_folder,
                from_key=m.to_key or "0",
                from_uidvalidity=m.to_uidvalidity,
                to_folder=m.from_folder,
                email_id=m.email_id,
                fingerprint=m.fingerprint,
            )
            # Only what is still archived: an interrupted undo already restored the rest.
            for m in journal.done_moves(batch["id"], email_state="archived")
        ]
        marks = mover.prepare(sorted({m.to_folder for m in back}))
        located = mover.locate(back)

        def undo_batch() -> int:
            if earlier:
                return int(earlier["id"])
            return journal.open_batch(
                mover.name, "undo", batch["folder"], marks, undo_of=batch["id"]
            )

        run_moves(journal, mover, undo_batch, located, report, progress, "undo")
    return report


class UndoError(BadInput):
    """Nothing to undo, or the batch was undone already."""
