"""`onward people`: the people of a deployment on PostgreSQL, each with data of their own."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from onward.cli.app import open_fleet, out
from onward.config import Config

people_app = typer.Typer(
    help="The people a deployment serves (PostgreSQL): add, list, remove.", no_args_is_help=True
)


@people_app.command("add")
def people_add(name: str) -> None:
    """Add a person: a schema of their own for their mail, tracker and check-ins."""
    with open_fleet() as fleet:
        who = fleet.add_person(name)
    out.print(
        f"Added {who.name} (schema {who.schema}). Add their mailbox with: onward account add "
        f"NAME --person {who.name} --imap HOST --user USER --password-command CMD"
    )


@people_app.command("list")
def people_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every person, with their accounts, last sync and accounts that need them."""
    with open_fleet() as fleet:
        rows = fleet.people()
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    if not rows:
        out.print("No people yet: onward people add NAME")
        return
    table = Table("person", "schema", "accounts", "last sync", "need them")
    for r in rows:
        last = r["last_success_at"].strftime("%Y-%m-%d %H:%M") if r["last_success_at"] else "-"
        table.add_row(r["name"], r["schema"], str(r["accounts"]), last, str(r["need_owner"]))
    out.print(table)


@people_app.command("remove")
def people_remove(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Remove a person and everything of theirs here: mail, tracker, check-ins, accounts."""
    if not yes:
        typer.confirm(f"Remove {name} and everything onward keeps of theirs?", abort=True)
    import shutil

    from onward.store.fleet import person_folder

    config = Config.load()
    with open_fleet() as fleet:
        who = fleet.remove_person(name)
    # Files their dashboard wrote on this computer (drafts of mail onward cannot write back).
    shutil.rmtree(config.person_home(person_folder(fleet.url, who.schema)), ignore_errors=True)
    out.print(f"Removed {who.name}: their schema {who.schema}, accounts and queued syncs.")


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
