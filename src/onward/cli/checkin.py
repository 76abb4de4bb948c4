"""`onward checkin`, and the one gentle offer after a rejection arrives."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onward.actions import checkin as ck
from onward.cli.app import err, open_store, out
from onward.cli.quick import at_terminal
from onward.cli.render import show_advice
from onward.config import Config
from onward.terminal import discard_typed_ahead

if TYPE_CHECKING:
    from onward.store.checkins import Checkins


def _about(p: dict[str, Any]) -> str:
    role = f" ({p['role']})" if p.get("role") else ""
    when = p["at"].strftime("%d %b") if p.get("at") else "recently"
    via = ck.via_phrase(p.get("via") or "email")
    return f"{p['company']}{role}, {when}{' ' + via if via else ''}"


def context_line(feeling: str, config: Config, store: Any) -> str:
    """What onward itself can offer for this feeling: the follow-up, or the pipeline."""
    if feeling == "confused":
        return "Your follow-up asks what to improve: `onward followup` drafts it, if not done yet."
    if feeling == "anxious":
        from onward.store.snapshot import snapshot
        from onward.tracker.insights import PIPELINE

        by = snapshot(store, datetime.now(UTC), history=False).by_status
        active = sum(by.get(status, 0) for status in PIPELINE)
        return f"You have {active} active application{'s' if active != 1 else ''}: `onward status`."
    return ""


def interactive_checkin(config: Config, store: Any, pending: list[dict[str, Any]]) -> bool:
    """Ask once. Enter or 'skip' is respected: these rejections are never asked about again."""
    from onward.store.checkins import Checkins

    data = ck.load(config.paths.config_dir)
    now = datetime.now(UTC)
    if pending:
        more = f" (and {len(pending) - 1} more)" if len(pending) > 1 else ""
        out.print(f"\nA rejection came in: {_about(pending[0])}{more}.")
    out.print("How do you feel? " + ", ".join(ck.FEELINGS) + " (Enter to skip)")
    choice = typer.prompt("Feeling", default="skip", show_default=False).strip().lower()
    if choice in ("", "skip", "s", "no", "n"):
        if pending:
            Checkins(store).skip(now, pending)
        out.print("Skipped. `onward checkin` is there any time.")
        return False
    while choice not in ck.FEELINGS:
        choice = typer.prompt(f"One of {', '.join(ck.FEELINGS)}").strip().lower()
    intensity = typer.prompt("How strongly, 1 (a little) to 5 (very)", default=3, type=int)
    while intensity not in ck.INTENSITIES:
        intensity = typer.prompt("A number from 1 to 5", default=3, type=int)
    note = typer.prompt("A note for yourself (optional)", default="", show_default=False)
    Checkins(store).record(now, choice, intensity, note, pending)
    show_advice(ck.advise(data, choice, intensity), context_line(choice, config, store))
    return True


def checkin(
    feeling: Annotated[str | None, typer.Option(help=f"One of: {', '.join(ck.FEELINGS)}.")] = None,
    intensity: Annotated[int | None, typer.Option(help="How strongly, 1 to 5.")] = None,
    note: Annotated[str, typer.Option(help="A note for yourself.")] = "",
    skip: Annotated[bool, typer.Option("--skip", help="Not now: don't ask about these.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Past check-ins.")] = False,
) -> None:
    """How are you? A short check-in, with suggestions that fit the feeling."""
    from onward.store.checkins import Checkins

    config = Config.load()
    store = open_store(config)
    checkins = Checkins(store)
    now = datetime.now(UTC)
    if history:
        _history(checkins)
        return
    pending = checkins.pending(now)
    if skip:
        n = checkins.skip(now, pending)
        out.print(f"Skipped {n} check-in{'s' if n != 1 else ''}.")
        return
    if feeling is None:
        if not at_terminal(sys.stdin):
            raise ck.CheckinError("Give --feeling (and --intensity) when not at a terminal.")
        interactive_checkin(config, store, pending)
        return
    ck.check(feeling, intensity)
    data = ck.load(config.paths.config_dir)
    checkins.record(now, feeling, intensity, note, pending)
    show_advice(ck.advise(data, feeling, intensity or 3), context_line(feeling, config, store))


def _history(checkins: Checkins) -> None:
    from rich.table import Table

    rows = checkins.history()
    table = Table("date", "feeling", "strength", "about", "note", title=f"{len(rows)} check-ins")
    for r in rows:
        table.add_row(
            r["created_at"].strftime("%Y-%m-%d"),
            r["feeling"],
            str(r["intensity"] or ""),
            ck.companies_phrase(r["companies"]),
            r["note"],
        )
    out.print(table)


def offer() -> None:
    """After a command that opted in succeeded: one check-in per new rejection, never in quiet
    hours, never when piped or scripted."""
    from onward.store.checkins import Checkins

    if not (at_terminal(sys.stdin) and at_terminal(sys.stdout)):  # stdin may be closed
        return
    try:
        config = Config.load()
        settings = config.checkin
        if not settings.prompt:
            return
        if ck.quiet(datetime.now().astimezone(), settings.quiet_hours):
            return
        store = open_store(config)
        pending = Checkins(store).pending(datetime.now(UTC))
        if pending:
            # The command before may have asked questions; keys typed ahead for those are not
            # an answer to how the person feels.
            discard_typed_ahead()
            interactive_checkin(config, store, pending)
    except (typer.Abort, EOFError):
        return
    except Exception as exc:  # the command itself succeeded; a failed offer must not say otherwise
        err.print(f"(The check-in could not be offered: {type(exc).__name__}.)")


def register(app: typer.Typer) -> None:
    app.command()(checkin)
