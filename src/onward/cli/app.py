"""What every command module shares: the consoles, the store opener, this run's options, and the
check-in opt-in."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec

import typer

from onward.config import Config
from onward.terminal import PlainConsole

if TYPE_CHECKING:
    from onward.store import Store
    from onward.store.fleet import Fleet

P = ParamSpec("P")


def _flags_bare() -> None:
    """Typer 0.29's rich help prints "<bool>" beside every flag, as if it took a value (its
    plain help does not): show a flag's type only when it takes one."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "flags_bare", False):
        return

    def display_type_rich(self: TyperOption, ctx: typer.Context) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.flags_bare = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign,assignment]


_flags_bare()
# Piped output (CI logs, `| less`) gets room for tables instead of Rich's default 80 columns.
# Mail and files reach these consoles: no markup, control codes shown (onward.terminal).
out = PlainConsole(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = PlainConsole(stderr=True, soft_wrap=True)


@dataclass
class RunOptions:
    """What the root options (`onward --debug ...`) decided for this run."""

    debug: bool = False


def options(ctx: typer.Context) -> RunOptions:
    """This run's options, which the root callback left on the context."""
    found = ctx.find_root().obj
    return found if isinstance(found, RunOptions) else RunOptions()


class CheckinOffer:
    """What a command returns when onward may then ask how the person feels."""


def offers_checkin(command: Callable[P, None]) -> Callable[P, CheckinOffer | None]:
    """Opt a command in to the check-in offer after it succeeds; machine output never asks."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> CheckinOffer | None:
        command(*args, **kwargs)
        return None if kwargs.get("as_json") or kwargs.get("jsonl") else CheckinOffer()

    return run


def open_store(config: Config) -> Store:
    if config.person:
        from onward.store.fleet import open_person, person_folder

        store, who, tables = open_person(config.database_url, config.person)
        # Their accounts, not this computer's: a dashboard reading an original or writing a
        # draft must reach their mailbox, never one of this computer's of the same name.
        config.as_person(who.name, person_folder(config.database_url, who.schema), tables)
        return store
    url = config.database_url
    if not url.startswith("sqlite"):
        from onward.store.fleet import FleetError, is_deployment

        if is_deployment(url):  # a person's tables would land in the queue's schema
            raise FleetError(
                "This database holds many people's data: say whose with --person NAME "
                "(see `onward people list`)."
            )
    config.paths.make_data_dir()
    # Imported here: SQLAlchemy is most of a command's start-up, and `--help` needs none of it.
    from onward.store import Store

    return Store(url)


def open_fleet() -> Fleet:
    """The deployment's control tables (PostgreSQL, from --db or ONWARD_DB)."""
    from onward.store.fleet import Fleet

    return Fleet(Config.load().database_url)
