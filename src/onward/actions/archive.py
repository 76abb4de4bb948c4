"""Archive rejections, never delete them: journaled moves, reconciled after a crash, undoable.

For each source: first settle what an earlier run left pending, then move the new
rejections in chunks. Each chunk is journaled (committed) before the server hears of it and
confirmed after, so whatever fails midway, the next run knows what to check.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from onward.mail.movers.base import Located, Move, MoveError, Mover
from onward.progress import NoProgress, Progress
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


@dataclass
class Report:
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
    todo: list[Move],
    report: Report,
    progress: Progress,
    action: str,
) -> None:
    """Locate, then journal and move in chunks; `batch` opens (or resumes) the batch.

    Locating comes first, so a run that fails there leaves no batch behind; a batch that
    journaled nothing before its run failed is dropped.
    """
    located = mover.locate(todo)
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
            _archive_source(journal, mover, options, report, progress)
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


def _archive_source(
    journal: Journal, mover: Mover, options: ArchiveOptions, report: Report, progress: Progress
) -> None:
    if not options.dry_run:
        reconcile(journal, mover, report)
    folder = mover.folder_name(options.folder)
    rows = journal.candidates(mover.name, folder, options.min_confidence)
    if options.only is not None:
        rows = [r for r in rows if r["id"] in options.only]
    if options.dry_run:
        report.planned.extend({**r, "to": folder} for r in rows)
        return
    todo, seen = [], set()
    for r in rows:
        if not r["message_id"]:
            report.skipped.append(
                {"email_id": r["id"], "why": "it has no Message-ID, so a move could not be checked"}
            )
            continue
        if (r["folder"], r["key"]) in seen:
            continue
        seen.add((r["folder"], r["key"]))
        todo.append(
            Move(
                message_id=r["message_id"],
                from_folder=r["folder"],
                from_key=r["key"],
                from_uidvalidity=int(r["uidvalidity"] or 0),
                to_folder=folder,
                email_id=r["id"],
                fingerprint=r["fingerprint"] or "",
            )
        )
    if not todo:
        stale = journal.unfinished(mover.name, "archive", folder)
        if stale:  # everything an interrupted batch still had was settled by reconciling
            journal.finish_batch(stale)
        return
    marks = mover.prepare([folder])

    def batch() -> int:
        return journal.unfinished(mover.name, "archive", folder) or journal.open_batch(
            mover.name, "archive", folder, marks
        )

    run_moves(journal, mover, batch, todo, report, progress, "archive")


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

        def undo_batch() -> int:
            if earlier:
                return int(earlier["id"])
            return journal.open_batch(
                mover.name, "undo", batch["folder"], marks, undo_of=batch["id"]
            )

        run_moves(journal, mover, undo_batch, back, report, progress, "undo")
    return report


class UndoError(Exception):
    """Nothing to undo, or the batch was undone already."""
