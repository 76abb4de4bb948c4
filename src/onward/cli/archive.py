"""Commands that act on the person's mail: archive, undo (and follow-up, in cli.followup)."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onward import accounts
from onward.actions.archive import (
    DEFAULT_FOLDER,
    DEFAULT_MIN_CONFIDENCE,
    ArchiveOptions,
    MoverFactory,
    Plan,
    Report,
    archive,
    undo,
)
from onward.cli.app import err, offers_checkin, open_store, out
from onward.cli.app import options as run_options
from onward.config import Config
from onward.mail.movers import Mover, mover_for
from onward.terminal import styled

if TYPE_CHECKING:
    from onward.store.db import Store
    from onward.store.journal import Journal


def _movers(config: Config, copy_to: Path | None = None) -> MoverFactory:
    def make(source: str) -> Mover:
        src, _folders = accounts.source_for(config, source)
        return mover_for(src, copy_to)

    return make


def _print_problems(report: Report) -> None:
    for p in report.problems:
        err.print(p, style="yellow")


def archive_cmd(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would move.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per message.")] = False,
    folder: Annotated[
        str | None, typer.Option(help=f"Archive folder (default {DEFAULT_FOLDER!r}).")
    ] = None,
    min_confidence: Annotated[
        float | None, typer.Option(help="Only rejections at least this sure (default 0.8).")
    ] = None,
    to_mbox: Annotated[
        Path | None, typer.Option(help="For mbox and .eml exports: append a copy to this mbox.")
    ] = None,
    no_followup: Annotated[
        bool, typer.Option("--no-followup", help="Do not offer follow-up drafts first.")
    ] = False,
) -> None:
    """Offer a follow-up for each new rejection, then file it into the archive folder.

    Nothing is ever deleted; `onward undo` puts a batch back.
    """
    from onward.progress import RichProgress

    config = Config.load()
    s = config.archive
    options = ArchiveOptions(
        folder=folder or (s.folder if s.folder is not None else DEFAULT_FOLDER),
        min_confidence=next(
            v for v in (min_confidence, s.min_confidence, DEFAULT_MIN_CONFIDENCE) if v is not None
        ),
        dry_run=dry_run,
    )
    store = open_store(config)
    if not dry_run and not no_followup:
        _offer_followups(config, store, options.min_confidence, as_json, run_options(ctx).debug)
    from onward.store.journal import Journal

    journal = Journal(store)
    with RichProgress("Archiving", enabled=False if as_json else None) as progress:
        report = archive(journal, _movers(config, to_mbox), options, progress)
    _print_problems(report)
    if dry_run:
        _print_plans(report.plans, as_json)
    elif as_json:
        for r in report.moved + report.skipped:
            print(json.dumps(r))  # noqa: T201
    else:
        _print_summary(report, "archived")
    if as_json:
        print(json.dumps({"summary": report.as_dict()}))  # noqa: T201
    if report.failed:
        raise typer.Exit(1)


def _offer_followups(
    config: Config, store: Store, min_confidence: float, quiet: bool, debug: bool
) -> None:
    """Before a rejection leaves the inbox: the chance to thank them and ask for feedback.

    A draft that cannot be made is said in one sentence and never holds up the archive."""
    from onward.actions import followup as fu
    from onward.cli.followup import terminal_asker
    from onward.store.followups import Followups

    mode = config.followup.before_archive
    waiting = [
        r for r in Followups(store).without_followup(min_confidence) if not r["archive_state"]
    ]
    if mode == "skip" or not waiting:
        return
    say = err if quiet else out
    if mode == "ask" and not sys.stdin.isatty():
        say.print(
            f"{len(waiting)} rejections have no follow-up yet: `onward followup` lists them "
            '(set [followup] before_archive = "draft" to draft them here).',
            highlight=False,
        )
        return
    if mode == "ask":
        waiting = _choose(waiting, quiet)
    ask = terminal_asker()
    told_placeholder = False
    for row in waiting:
        for line, problem in _draft_one(config, store, row, mode, ask, debug):
            if line == fu.PLACEHOLDER_NOTE:  # said once, not once per draft
                if told_placeholder:
                    continue
                told_placeholder = True
            (err if problem else say).print(
                line, style="yellow" if problem else None, markup=False, highlight=False
            )


def _choose(waiting: list[dict[str, Any]], quiet: bool) -> list[dict[str, Any]]:
    """Show every rejection once and ask once which of them get a follow-up: all, none, or
    the ones whose numbers the person types. With --json all of it goes to stderr."""
    say = err if quiet else out
    many = len(waiting) != 1
    say.print(f"{len(waiting)} rejection{'s have' if many else ' has'} no follow-up yet:")
    for n, row in enumerate(waiting, 1):
        who = row["company"] or row["from_addr"]
        say.print(f"  {n:>3}  {who}: {row['subject'][:60]}", markup=False, highlight=False)
    answer = typer.prompt(
        "Draft a thank-you reply first: all, none, or choose?", default="all", err=quiet
    )
    while True:
        word = answer.strip().lower()
        if word in ("c", "choose"):
            answer = typer.prompt(
                "Which ones? Their numbers, e.g. 1 3 5-7", default="none", err=quiet
            )
            continue
        picked = picked_rows(word, len(waiting))
        if picked is not None:
            return [waiting[i] for i in picked]
        # No default here: Enter after a mistyped choice should not draft them all.
        answer = typer.prompt(
            f"Type all, none, choose, or numbers from 1 to {len(waiting)}", err=quiet
        )


def picked_rows(answer: str, count: int) -> list[int] | None:
    """The 0-based rows an answer picks ("all", "none", "1 3 5-7"), or None if it is not an
    answer (a word, or a number outside 1..count)."""
    answer = answer.strip().lower()
    if answer in ("a", "all", "y", "yes"):
        return list(range(count))
    if answer in ("", "n", "no", "none"):
        return []
    picked: list[int] = []
    for part in answer.replace(",", " ").split():
        first, dash, last = part.partition("-")
        if not (first.isdigit() and (last.isdigit() if dash else True)):
            return None
        low, high = int(first), int(last) if dash else int(first)
        if not 1 <= low <= high <= count:
            return None
        picked += [i - 1 for i in range(low, high + 1) if i - 1 not in picked]
    return sorted(picked)


def _draft_one(
    config: Config, store: Store, row: dict[str, Any], mode: str, ask: Any, debug: bool
) -> list[tuple[str, bool]]:
    """Draft the follow-up to one rejection: what to tell the person, and whether it is a
    problem."""
    from onward.actions import followup as fu
    from onward.mail.outbox import DraftError

    who = row["company"] or row["from_addr"]
    try:
        draft = fu.prepare(config, row, ask=ask, store=store)
        if draft.choice.foreign and mode == "draft":
            skipped = (
                f"No follow-up drafted for {who}: {draft.choice.note} "
                f"`onward followup --email {row['id']}` drafts it when you are sure."
            )
            return [(skipped, True)]
        where = fu.store_draft(config, store, draft)
        return [(f"Drafted a follow-up to {who} in {where}.", False)] + [
            (note, True) for note in draft.notes
        ]
    except DraftError as exc:
        return [(f"No follow-up drafted for {who}: {exc}", True)]
    except (typer.Abort, typer.Exit):
        raise
    except Exception as exc:  # one failed draft never stops the archive
        if debug:
            traceback.print_exception(exc)
        failed = (
            f"No follow-up drafted for {who}: it could not be made ({type(exc).__name__}), "
            "and archiving goes on."
        )
        return [(failed, True)]


def _print_plans(plans: list[Plan], as_json: bool) -> None:
    """The dry run: what would move, what would stay and why, what is checked first."""
    for plan in plans:
        rows = [("would_move", p.row, "") for p in plan.moves]
        rows += [("would_skip", r, why) for r, why in plan.left()]
        rows += [("would_check", r, PENDING) for r in plan.unsettled]
        for action, r, why in rows:
            if as_json:
                print(json.dumps(_plan_row(r, plan.folder, action, why)))  # noqa: T201
            else:
                out.print(_plan_line(r, plan.folder, action, why), highlight=False)
        if plan.pending and not as_json:
            out.print(
                f"{plan.source}: {_count(plan.pending, 'move')} an interrupted run left pending "
                "would be checked first (a dry run does not: checking can remove a copy left "
                "behind on the server).",
                highlight=False,
            )
    if as_json:
        return
    moving = sum(len(p.moves) for p in plans)
    left = sum(len(p.left()) for p in plans)
    also = f", {left} would be left in place" if left else ""
    out.print(f"{moving} rejections would be archived{also} (--dry-run: nothing moved).")


PENDING = "an interrupted run left its move pending; the real run checks it first"
_VERB = {"would_move": "would move", "would_skip": "would leave", "would_check": "would check"}


def _plan_line(r: dict[str, Any], to: str, action: str, why: str) -> str:
    where = f"{r['folder'] or '-'} → {to}" if action == "would_move" else (r["folder"] or "-")
    line = f"{_VERB[action]}  {r['source']}  {where}  {r['company'] or r['from_addr']}: "
    return line + str(r["subject"]) + (f"  ({why})" if why else "")


def _plan_row(r: dict[str, Any], to: str, action: str, why: str) -> dict[str, object]:
    keys = ("id", "source", "message_id", "folder", "to", "company", "subject", "confidence")
    shown = {k: to if k == "to" else r[k] for k in keys}
    return shown | {"action": action} | ({"why": why} if why else {})


def _print_summary(report: Report, verb: str) -> None:
    if report.reconciled:
        parts = ", ".join(f"{n} {state}" for state, n in sorted(report.reconciled.items()))
        out.print(f"Checked moves an interrupted run left pending: {parts}.")
    for s in report.skipped:
        out.print(
            styled(
                ("Left in place", "yellow"),
                f" {s.get('message_id', '')}: {s.get('why') or s.get('state')}",
            )
        )
    batches = ", ".join(str(b) for b in report.batches)
    out.print(
        f"{len(report.moved)} messages {verb}"
        + (
            f" (batch {batches}; `onward undo {report.batches[-1]}` puts them back)."
            if report.batches and verb == "archived"
            else "."
        )
    )


def undo_cmd(
    batch: Annotated[int | None, typer.Argument(help="Batch number (default: the last).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Move an archived batch back to where each message came from, or bring back a deleted
    application."""
    from onward.progress import RichProgress

    config = Config.load()
    store = open_store(config)
    from onward.store.journal import Journal

    journal = Journal(store)
    if _undo_delete(store, journal, batch, as_json):
        return
    with RichProgress("Restoring", enabled=False if as_json else None) as progress:
        report = undo(journal, _movers(config), batch, progress)
    _print_problems(report)
    if as_json:
        print(json.dumps({"summary": report.as_dict()}))  # noqa: T201
    else:
        _print_summary(report, "restored")
    if report.failed:
        raise typer.Exit(1)


def _undo_delete(store: Store, journal: Journal, batch: int | None, as_json: bool) -> bool:
    """Undo a delete when that is what `batch` (or, without one, the newest batch that can be
    undone) is; False when it is an archive batch."""
    from onward.tracker.repo import Tracker

    t = Tracker(store)
    if batch is None:
        batch = t.last_undoable_delete()
        if batch is None or (journal.last_undoable() or 0) > batch:
            return False
    found = journal.batch(batch)
    if found is None or found["action"] != "delete":
        return False
    r = t.undo_delete(batch)
    if as_json:
        print(json.dumps({"summary": {"restored_application": r.application_id}}))  # noqa: T201
        return True
    out.print(
        f"Restored #{r.application_id} ({r.company}) with its {_count(r.events, 'event')}"
        + (f" and {_count(r.emails, 'linked email')}" if r.emails else "")
        + "."
        + (
            f" {r.left} of its emails you have linked elsewhere since stay where they are."
            if r.left
            else ""
        ),
        highlight=False,
    )
    return True


def batches_cmd() -> None:
    """The archive, delete and undo batches, newest first."""
    from onward.store.journal import Journal

    journal = Journal(open_store(Config.load()))
    rows = journal.batches()
    if not rows:
        out.print("Nothing archived yet.")
    for b in rows:
        when = b["created_at"].strftime("%Y-%m-%d %H:%M") if b["created_at"] else ""
        if b["undo_data"]:  # a deleted application, or its undo: no mail moved
            _print_tracker_batch(b, when)
            continue
        what = f"undo of {b['undo_of']}" if b["undo_of"] else b["action"]
        # An undo moves mail out of the archive folder, back to where each message was.
        where = (
            f"{b['folder']} → {', '.join(b['to_folders']) or '?'}"
            if b["undo_of"]
            else f"→ {b['folder']}"
        )
        out.print(
            f"{b['id']:>4}  {when}  {what:<12} {b['source']}  "
            f"{b['done'] or 0}/{b['moves'] or 0} moved  {where}",
            highlight=False,
        )


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _print_tracker_batch(b: dict[str, Any], when: str) -> None:
    kept = json.loads(b["undo_data"]).get("application", {})
    what = f"undo of {b['undo_of']}" if b["undo_of"] else "delete"
    detail = (
        f"brought back application #{kept.get('id')}"
        if b["undo_of"]
        else f"application #{kept.get('id')} ({kept.get('company', '')})"
    )
    out.print(f"{b['id']:>4}  {when}  {what:<12} {detail}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("archive")(offers_checkin(archive_cmd))
    app.command("undo")(offers_checkin(undo_cmd))
    app.command("batches")(offers_checkin(batches_cmd))
