"""`onward worker` and `onward fleet`: sync every person's accounts with Procrastinate workers,
and see how the syncs go."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from onward.cli.app import open_fleet, options, out
from onward.config import Config

fleet_app = typer.Typer(
    help="A deployment's syncs: their status, and a sync now.", no_args_is_help=True
)


def worker_cmd(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Syncs run at once in this process (IMAP waits overlap).")
    ] = 8,
    queue: Annotated[
        list[str] | None,
        typer.Option(help="Queues to work (imap-gmail, imap-outlook, imap-other, files, onward)."),
    ] = None,
    tick: Annotated[
        int, typer.Option(min=1, help="Seconds between looks for accounts that are due.")
    ] = 60,
    stalled_after: Annotated[
        float,
        typer.Option(min=1.0, help="Seconds without a heartbeat before a worker's syncs rerun."),
    ] = 30.0,
    name: Annotated[str | None, typer.Option(help="This worker's name in the queue.")] = None,
) -> None:
    """Run a sync worker on the deployment's PostgreSQL (--db); one per core. Ctrl-C stops."""
    import logging

    from onward.store.fleet import FleetError, is_postgres

    url = Config.load().database_url
    if not is_postgres(url):
        raise FleetError("A worker needs PostgreSQL: give --db postgresql://... (or ONWARD_DB).")
    try:
        from onward.fleet.worker import WorkerSettings, run_worker
    except ImportError:
        raise FleetError(
            "onward worker needs Procrastinate: install it with `pip install 'onward[fleet]'`."
        ) from None
    debug = options(ctx).debug
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Procrastinate says a line per job at INFO: with --debug only. onward sums up a minute.
    logging.getLogger("procrastinate").setLevel(logging.INFO if debug else logging.WARNING)
    logging.getLogger("onward.fleet").setLevel(logging.DEBUG if debug else logging.INFO)
    out.print(
        f"onward worker: {concurrency} syncs at once, "
        f"queues {', '.join(queue) if queue else 'all'}; Ctrl-C stops it (a sync under way "
        "is finished or picked up again)."
    )
    settings = WorkerSettings(concurrency, tuple(queue or ()), tick, stalled_after, name)
    run_worker(url, settings)


@fleet_app.command("status")
def fleet_status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every account: last successful sync, lag, failures, and those that need their owner."""
    with open_fleet() as fleet:
        rows = fleet.status()
    now = datetime.now(UTC)
    if as_json:
        out.print_json(json.dumps([_json_row(r, now) for r in rows], default=str))
        return
    if not rows:
        out.print("No accounts yet: onward account add NAME --person PERSON --imap HOST ...")
        return
    table = Table("person", "account", "queue", "last sync", "lag", "failures", "state")
    for r in rows:
        table.add_row(
            r["person"],
            r["account"],
            r["queue"],
            _ago(r["last_success_at"], now),
            f"{r['last_lag_seconds']:.0f} s" if r["last_lag_seconds"] is not None else "-",
            str(r["failures"]),
            _state(r),
        )
    out.print(table)
    waiting = [r for r in rows if r["needs_owner"]]
    if waiting:
        out.print(
            f"{len(waiting)} account(s) need their owner (a refused password or token); once "
            "fixed: onward fleet resume PERSON ACCOUNT"
        )


def _state(r: dict[str, Any]) -> str:
    if r["needs_owner"]:
        return f"needs owner: {r['last_error']}"
    if r["job"] == "doing":
        return "syncing"
    if r["job"] == "todo":
        return "waiting"
    if r["failures"]:
        return f"retrying: {r['last_error']}"
    return "ok"


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return when.strftime("%Y-%m-%d %H:%M")


def _json_row(r: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = (now - r["last_success_at"]).total_seconds() if r["last_success_at"] else None
    return {
        "person": r["person"],
        "account": r["account"],
        "queue": r["queue"],
        "every_minutes": r["every_minutes"],
        "last_success_at": r["last_success_at"],
        "seconds_since_success": since,
        "lag_seconds": r["last_lag_seconds"],
        "last_sync_seconds": r["last_seconds"],
        "messages": r["messages"],
        "failures": r["failures"],
        "last_error": r["last_error"],
        "needs_owner": r["needs_owner"],
        "next_sync_at": r["next_sync_at"],
        "state": _state(r),
    }


@fleet_app.command("sync")
def fleet_sync(
    person: Annotated[
        str | None, typer.Argument(help="Only this person's accounts (default: everyone's).")
    ] = None,
) -> None:
    """Make accounts due now: the running workers sync them at their next look."""
    with open_fleet() as fleet:
        n = fleet.make_due(person)
    out.print(f"{n} account(s) due now; the workers sync them within a tick.")


@fleet_app.command("resume")
def fleet_resume(person: str, account: str) -> None:
    """Sync an account again once its owner fixed what it needed (a password, a token)."""
    with open_fleet() as fleet:
        fleet.resume(person, account)
    out.print(f"{person}'s {account} will be synced again at the workers' next look.")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_cmd)
    app.add_typer(fleet_app, name="fleet")
