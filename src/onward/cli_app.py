"""What every command module shares: the Typer app, the consoles, the store opener."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from onward.config import Config
from onward.store import Store

app = typer.Typer(
    help="Get through job rejection and back into the search, on your own machine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Piped output (CI logs, `| less`) gets room for tables instead of Rich's default 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)
_state = {"debug": False}


def open_store(config: Config) -> Store:
    config.paths.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(config.database_url)
