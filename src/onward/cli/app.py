"""What every command module shares: the Typer app, the consoles, the store opener."""

from __future__ import annotations

import sys

import typer

from onward.config import Config
from onward.store import Store
from onward.terminal import PlainConsole


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
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_bare()
app = typer.Typer(
    help="Get through job rejection and back into the search, on your own machine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Piped output (CI logs, `| less`) gets room for tables instead of Rich's default 80 columns.
# Mail and files reach these consoles: no markup, control codes shown (onward.terminal).
out = PlainConsole(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = PlainConsole(stderr=True, soft_wrap=True)
_state = {"debug": False}


def open_store(config: Config) -> Store:
    config.paths.make_data_dir()
    return Store(config.database_url)
