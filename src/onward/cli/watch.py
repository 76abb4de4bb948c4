"""`onward watch`: a thin command over onward.watch."""

from __future__ import annotations

from typing import Annotated

import typer

from onward.cli.app import open_store, options, out
from onward.config import Config


def watch_cmd(
    ctx: typer.Context,
    account: Annotated[
        list[str] | None, typer.Argument(help="Accounts to watch (default: all).")
    ] = None,
    install: Annotated[
        bool, typer.Option("--install", help="Start it at every login (systemd user unit).")
    ] = False,
    uninstall: Annotated[
        bool, typer.Option("--uninstall", help="Stop starting it at login.")
    ] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Whether it runs, since when, the last thing it did.")
    ] = False,
) -> None:
    """Wait for new mail (IMAP IDLE, file events) and act within seconds; Ctrl-C stops."""
    from onward.watch import service

    if sum((install, uninstall, status)) > 1:
        raise typer.BadParameter("Give one of --install, --uninstall and --status.")
    config = Config.load()
    if install or uninstall or status:
        if account:
            raise typer.BadParameter("--install, --uninstall and --status watch every account.")
        if status:
            lines = service.status(config.paths.data_dir)
        elif install:
            lines = service.install(config.paths.data_dir)
        else:
            lines = service.uninstall()
        for line in lines:
            out.print(line, markup=False, highlight=False)
        return
    from onward.watch.runner import watch

    store = open_store(config)

    def write(line: str) -> None:
        out.print(line, markup=False, highlight=False)

    code = watch(config, store, account or [], write, debug=options(ctx).debug)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("watch")(watch_cmd)
