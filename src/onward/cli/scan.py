"""`onward scan`: read new mail from accounts and exports, store it, and link it to applications."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from onward import accounts
from onward.cli import quick
from onward.cli.app import err, offers_checkin, open_store, options, out
from onward.config import Config
from onward.scan import Linked, Scanner, ScanSummary, classifier_loader, link_new_mail
from onward.terminal import styled

if TYPE_CHECKING:
    from onward.classify.model import Classifier
    from onward.store import Store


def scan(
    ctx: typer.Context,
    target: Annotated[
        str | None, typer.Argument(help="Account name or path (default: all accounts).")
    ] = None,
    folder: Annotated[
        list[str] | None, typer.Option(help="Folder to scan; repeat for more.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary as the last line.")
    ] = False,
) -> None:
    """Read new mail from an account or an export and store it."""
    config = Config.load()
    targets = [target] if target else sorted(config.accounts)
    if not targets:
        raise typer.BadParameter(
            "No accounts yet: give a path, or add one with `onward account add`."
        )
    store = open_store(config)
    load_classifier = classifier_loader(store)
    total, failures = ScanSummary(), 0
    for t in targets:
        summary = _scan_one(config, store, t, folder, load_classifier, total, as_json, target)
        if options(ctx).debug:
            for exc in summary.exceptions:
                traceback.print_exception(exc)
        for problem in summary.problems:
            err.print(styled((f"{t}:", "yellow"), f" {problem}"))
        failures += summary.failed
        total.add(summary)
    linked = link_new_mail(store)
    if as_json:
        print(json.dumps(total.as_dict()))  # noqa: T201 (machine-readable, no Rich markup)
    else:
        _print_summary(total, linked)
    if failures or folder:
        quick.forget(config)
    else:  # complete: the next rescan with nothing new can be answered without all this
        quick.record(config, store, targets)
    if failures == len(targets):
        raise typer.Exit(1)


def _scan_one(
    config: Config,
    store: Store,
    target: str,
    folder: list[str] | None,
    load_classifier: Callable[[], Classifier],
    before: ScanSummary,
    quiet: bool,
    asked: str | None,
) -> ScanSummary:
    """One account or path, with a progress bar; Ctrl-C says what was kept and how to go on
    (`asked`: what the command was given, so that going on scans every account again)."""
    from onward.progress import RichProgress

    source, folders = accounts.source_for(config, target)
    scanner = Scanner(store, load_classifier=load_classifier)
    try:
        with RichProgress(f"Scanning {target}", enabled=False if quiet else None) as progress:
            scanner.progress = progress
            return scanner.run(source, folder or folders)
    except KeyboardInterrupt:
        err.print(_stopped(before, scanner.summary, asked))
        raise typer.Exit(130) from None


def _print_summary(total: ScanSummary, linked: Linked) -> None:
    out.print(quick.scanned_line(total.as_dict()))
    if linked.linked or linked.review:
        out.print(
            f"Tracker: {linked.linked} emails linked ({linked.opened} new "
            f"applications), {linked.review} wait in `onward review`."
        )
    if linked.answers:
        out.print(f"{linked.answers} answers to your follow-ups arrived (see `onward status`).")
    job = {k: n for k, n in total.kinds.items() if k != "not_job"}
    if job:
        counts = sorted(job.items(), key=lambda kv: -kv[1])
        out.print("Job mail: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts))


def _stopped(before: ScanSummary, current: ScanSummary, target: str | None) -> str:
    """What a Ctrl-C kept: the messages of every batch the database committed."""
    saved = before.scanned + current.scanned
    # "of N" only when N is the whole job: one folder, counted in messages, not bytes.
    whole = before.folders == 0 and current.folders == 1 and current.expected >= saved
    return quick.stopped_line(saved, current.expected if whole else None, target)


def register(app: typer.Typer) -> None:
    app.command()(offers_checkin(scan))
