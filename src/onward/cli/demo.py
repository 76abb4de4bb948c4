"""`onward demo`: the whole product on the bundled demo mailbox, in a temporary home."""

from __future__ import annotations

import typer

from onward.cli.app import out


def demo() -> None:
    """Show the whole product on the bundled demo mailbox, in a temporary home."""
    from onward.demo.run import run_demo

    run_demo(out)


def register(app: typer.Typer) -> None:
    app.command()(demo)
