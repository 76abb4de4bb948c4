"""`onward serve`: the dashboard on 127.0.0.1, opened with the token it prints."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from onward.cli.app import open_store, out
from onward.config import Config, ConfigError

DEFAULT_PORT = 8765


def free(port: int) -> int:
    """The port if it can be bound on 127.0.0.1 (0: any free one); a plain error otherwise."""
    if not 0 <= port <= 65535:
        raise ConfigError(f"Port {port} does not exist: give one from 1 to 65535, or 0 for any.")
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise ConfigError(
                f"Port {port} is in use; try `onward serve --port {port + 1}`."
            ) from None
        return int(s.getsockname()[1])


def serve(
    port: Annotated[
        int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")
    ] = DEFAULT_PORT,
) -> None:
    """The dashboard in your browser: today, review, applications, insights, follow-ups."""
    import uvicorn

    from onward.web.app import create_app, new_secrets

    config = Config.load()
    store = open_store(config)
    port = free(port)
    secrets = new_secrets(port)
    web = create_app(config, store, secrets)
    out.print(
        "onward dashboard (only this computer can reach it; Ctrl-C stops it):\n"
        f"    http://127.0.0.1:{port}/?token={secrets.token}",
        highlight=False,
        soft_wrap=True,
    )
    # No access log: URLs carry the token on the first request and mail ids after it.
    uvicorn.run(web, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
