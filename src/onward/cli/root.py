"""The `onward` command: the app built from its command groups, the root options, and the one
place where an error becomes a sentence."""

from __future__ import annotations

import errno
import os
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from onward import __version__
from onward.cli import (
    account,
    archive,
    checkin,
    classify,
    demo,
    fleet,
    followup,
    people,
    scan,
    serve,
    tracker,
    watch,
)
from onward.cli.app import CheckinOffer, RunOptions, err, options, out
from onward.cli.quick import INTERRUPTED
from onward.config import PRIVATE_UMASK, Paths
from onward.errors import OnwardError
from onward.terminal import styled

# In the order `onward --help` lists them: reading mail, the tracker, acting on rejections,
# the person, then the long-running and show-case commands, then a deployment for many people.
GROUPS = (
    account,
    scan,
    classify,
    tracker,
    archive,
    followup,
    checkin,
    serve,
    watch,
    demo,
    people,
    fleet,
)
# What `--person` may be given to: the commands that read and change the person's data. The
# others act on this computer's own accounts and mail, which a deployment's people do not share.
FOR_A_PERSON = frozenset(
    "label review save apply reject edit list merge delete split link goal status export "
    "import batches checkin serve".split()
)


class OnwardGroup(TyperGroup):
    """The root group: `--debug` wherever it is typed, and one sentence for every error."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        # People add --debug after the command that failed; the root option is read from there too.
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[:end]:
            args = [a for i, a in enumerate(args) if a != "--debug" or i >= end]
            # `onward --debug` alone shows the help, as `onward` alone does.
            args = ["--debug", *(args or ["--help"])]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, EOFError):  # Typer's own flow
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # `onward export | head`: Typer leaves quietly
                raise
            raise typer.Exit(report(exc, options(ctx).debug)) from None
        except KeyboardInterrupt:
            err.print(INTERRUPTED)
            raise typer.Exit(130) from None
        except Exception as exc:
            raise typer.Exit(report(exc, options(ctx).debug)) from None


def report(exc: Exception, debug: bool) -> int:
    """Say what went wrong in one sentence (a traceback only with --debug); the exit status."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, OnwardError):
        if debug:
            traceback.print_exception(exc)
        err.print(styled(("Error:", "red"), f" {exc}"))
        return 1
    if debug:
        raise exc
    if isinstance(exc, SQLAlchemyError):  # its text is SQL and the driver's words: may quote mail
        err.print(
            styled(
                ("Database error:", "red"),
                f" the database refused an operation ({type(exc).__name__}). "
                "Run again with --debug for details.",
            )
        )
    else:  # the last line of defence: one sentence, not a traceback
        err.print(
            styled(
                ("Unexpected error:", "red"),
                f" {type(exc).__name__}: {exc}. Run again with --debug for details.",
            )
        )
    return 1


def _print_version(wanted: bool) -> None:
    if wanted:
        out.print(f"onward {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (postgresql://...).")] = None,
    person: Annotated[
        str | None,
        typer.Option(help="In a deployment (`onward people`): act on this person's data."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = RunOptions(debug=debug)
    if db:
        os.environ["ONWARD_DB"] = db
    if person:
        os.environ["ONWARD_PERSON"] = person
    wanted = ctx.invoked_subcommand
    if os.environ.get("ONWARD_PERSON") and wanted and wanted not in FOR_A_PERSON:
        raise typer.BadParameter(
            f"`onward {wanted}` works on this computer's own accounts, not a "
            "person's in a deployment (their mail is synced by `onward worker`).",
            param_hint="--person",
        )


def _after(result: object, **_root_options: object) -> None:
    """Runs after a command succeeded: the commands that opted in may offer a check-in."""
    if isinstance(result, CheckinOffer):
        checkin.offer()


def build() -> typer.Typer:
    app = typer.Typer(
        cls=OnwardGroup,
        help="Get through job rejection and back into the search, on your own machine.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        callback=_root,
        result_callback=_after,
    )
    for group in GROUPS:
        group.register(app)
    return app


app = build()


def main() -> None:
    os.umask(PRIVATE_UMASK)  # every file onward writes (database, WAL, drafts) is the person's
    Paths.default().make_private()
    app()
