"""The demo's last part: onward for many people, on a private PostgreSQL started for a moment
(when PostgreSQL is installed), with two people whose data never meet."""

from __future__ import annotations

import importlib.util
import mailbox
from pathlib import Path

from rich.console import Console
from rich.table import Table

from onward.demo import DEMO_MBOX
from onward.terminal import styled


def show_deployment(out: Console, home: Path) -> None:
    from onward.demo.postgres import pg_bin

    out.print(
        styled(
            ("\nRunning onward for many people.", "bold"),
            " A careers office serves its job seekers from one PostgreSQL: each person's data "
            "in a schema of their own, their mailboxes synced by `onward worker`.",
        )
    )
    if pg_bin() is None or importlib.util.find_spec("psycopg") is None:
        out.print(
            "  (Not shown here: it needs PostgreSQL and psycopg, which `make test` installs; "
            "see the README, 'Running onward for many people'.)"
        )
        return
    from onward.demo.postgres import Postgres

    server = Postgres()
    try:
        _deployment(out, home, server.database("careers"))
    finally:
        server.stop()


def _deployment(out: Console, home: Path, url: str) -> None:
    from onward.fleet.providers import queue_for
    from onward.fleet.sync import sync_account
    from onward.store.fleet import Fleet, open_person
    from onward.tracker.repo import Tracker

    mail = {"sam": DEMO_MBOX, "noor": _first_messages(DEMO_MBOX, home / "noor.mbox", 12)}
    with Fleet(url) as fleet:
        ids = []
        for person, path in mail.items():
            fleet.add_person(person)
            settings = {"type": "mbox", "path": str(path)}
            ids.append(fleet.add_account(person, "mail", settings, queue_for(settings)))
        for account in ids:  # what a worker's sync task does with each account it is given
            sync_account(fleet, account)
        table = Table(title="`onward fleet status`")
        for col in ("person", "account", "queue", "messages", "failures", "state"):
            table.add_column(col)
        for row in fleet.status():
            state = "needs its owner" if row["needs_owner"] else "ok"
            table.add_row(
                row["person"],
                row["account"],
                row["queue"],
                str(row["messages"]),
                str(row["failures"]),
                state,
            )
        out.print(table)
        for person in mail:
            store, _, _ = open_person(url, person)
            apps = Tracker(store).apps()
            store.close()
            out.print(
                f"  `onward --person {person} list`: {len(apps)} applications, from their "
                "own mail only."
            )
        fleet.remove_person("noor")
        left = [p["name"] for p in fleet.people()]
    out.print(
        f"  `onward people remove noor`: her schema, accounts and queued syncs are gone; "
        f"people left: {', '.join(left)}."
    )


def _first_messages(source: Path, target: Path, n: int) -> Path:
    """Another person's smaller mailbox: the first `n` messages of the demo's."""
    box = mailbox.mbox(target)
    for i, msg in enumerate(mailbox.mbox(source)):
        if i >= n:
            break
        box.add(msg)
    box.flush()
    box.close()
    return target
