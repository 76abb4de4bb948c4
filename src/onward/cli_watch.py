"""`onward watch`: a thin command over onward.watch."""

from __future__ import annotations

from typing import Annotated

import typer

from onward.cli_app import _state, app, open_store, out
from onward.config import Config


@app.command("watch")
def watch_cmd(
    account: Annotated[
        list[str] | None, typer.Argument(help="Accounts to watch (default: all).")
    ] = None,
) -> None:
    """Wait for new mail (IMAP IDLE, file events) and act within seconds; Ctrl-C stops."""
    from onward.watch.runner import watch

    config = Config.load()
    store = open_store(config)

    def write(line: str) -> None:
        out.print(line, markup=False, highlight=False)

    code = watch(config, store, account or [], write, debug=_state["debug"])
    raise typer.Exit(code)
