"""The `onward` command: thin commands over the services."""

from __future__ import annotations

import json
import os
import shlex
import sys
import traceback
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from onward import __version__, accounts
from onward.cli import archive, checkin, classify, followup, serve, tracker, watch  # noqa: F401
from onward.cli.app import _state, app, err, open_store, out
from onward.config import PRIVATE_UMASK, Config, Paths
from onward.errors import OnwardError
from onward.scan import Scanner, ScanSummary
from onward.terminal import styled

# Options shared by `account add` and `account set`.
PasswordCommand = Annotated[
    str | None, typer.Option(help="Command printing the password (like mbsync's PassCmd).")
]
CaFile = Annotated[str | None, typer.Option(help="CA certificate for a self-signed server.")]
Address = Annotated[str | None, typer.Option(help="Your address, for the From of follow-ups.")]
YourName = Annotated[str | None, typer.Option(help="Your name, to sign follow-ups.")]
Smtp = Annotated[str | None, typer.Option(help="SMTP server HOST[:PORT] for `followup --send`.")]
SmtpStarttls = Annotated[
    bool, typer.Option("--smtp-starttls", help="SMTP with STARTTLS (port 587).")
]
SmtpUser = Annotated[str | None, typer.Option(help="SMTP user (default: --user).")]

account_app = typer.Typer(help="Mail accounts and exports onward reads.", no_args_is_help=True)
app.add_typer(account_app, name="account")


@account_app.command("add")
def account_add(
    name: str,
    imap: Annotated[str | None, typer.Option(help="IMAP server as HOST[:PORT].")] = None,
    user: Annotated[str | None, typer.Option(help="IMAP user name.")] = None,
    tls: Annotated[bool, typer.Option("--tls", help="Implicit TLS (port 993, default).")] = False,
    starttls: Annotated[bool, typer.Option("--starttls", help="STARTTLS on port 143.")] = False,
    password_command: PasswordCommand = None,
    oauth2_token_command: Annotated[
        str | None,
        typer.Option(help="Command printing an OAuth2 access token (Gmail, Office 365)."),
    ] = None,
    ca_file: CaFile = None,
    folder: Annotated[
        list[str] | None, typer.Option(help="Folders to scan (default INBOX).")
    ] = None,
    path: Annotated[
        str | None, typer.Option(help="An mbox, a Maildir, or a folder of .eml files.")
    ] = None,
    address: Address = None,
    your_name: YourName = None,
    smtp: Smtp = None,
    smtp_starttls: SmtpStarttls = False,
    smtp_user: SmtpUser = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Start an existing account over from these options.")
    ] = False,
) -> None:
    """Add an IMAP account (--imap) or a mail export on disk (--path)."""
    config = Config.load()
    if path and imap:
        raise typer.BadParameter("Give either --imap or --path, not both.")
    extra = accounts.sending(address, your_name, smtp, smtp_starttls, smtp_user)
    if path:
        acc = accounts.add_path(config, name, path, extra, replace)
        out.print(f"Added {name}: {acc['type']} at {acc['path']}")
        return
    if not imap or not user:
        raise typer.BadParameter("An IMAP account needs --imap HOST[:PORT] and --user USER.")
    if tls and starttls:
        raise typer.BadParameter("Choose --tls or --starttls, not both.")
    security = "starttls" if starttls else "tls"
    acc = accounts.add_imap(
        config,
        name,
        imap,
        user,
        security,
        password_command,
        oauth2_token_command,
        ca_file,
        folder,
        extra,
        replace,
    )
    out.print(f"Added {name}: {acc['user']} at {acc['host']}:{acc['port']} ({security})")
    if folder:
        _check_folders(name, acc)
    if not password_command and not oauth2_token_command:
        out.print(f"Store its password with: onward account password {name}")


def _check_folders(name: str, acc: dict[str, object]) -> None:
    """Warn now about folders the server lacks; stay quiet when it cannot be reached."""
    from onward.mail.sources.imap import missing_folders

    source, folders = accounts.account_source(name, {**acc, "timeout": 10})
    try:
        existing = source.folder_names()  # type: ignore[attr-defined]
    except OnwardError:
        return
    finally:
        source.close()
    for missing, close in missing_folders(folders or [], existing):
        like = f" (similar: {', '.join(repr(c) for c in close)})" if close else ""
        err.print(
            styled(
                ("Warning:", "yellow"),
                f" {acc['host']} has no folder named {missing!r}{like}; "
                "scans will skip it until it exists.",
            )
        )


@account_app.command("set")
def account_set(
    name: str,
    smtp: Smtp = None,
    smtp_starttls: SmtpStarttls = False,
    smtp_user: SmtpUser = None,
    address: Address = None,
    your_name: YourName = None,
    password_command: PasswordCommand = None,
    ca_file: CaFile = None,
    folder: Annotated[
        list[str] | None, typer.Option(help="Folders to scan; replaces the list.")
    ] = None,
    tls: Annotated[bool, typer.Option("--tls", help="IMAP with implicit TLS.")] = False,
    starttls: Annotated[bool, typer.Option("--starttls", help="IMAP with STARTTLS.")] = False,
) -> None:
    """Change some settings of an account; the ones not given stay as they are."""
    config = Config.load()
    if tls and starttls:
        raise typer.BadParameter("Choose --tls or --starttls, not both.")
    changes = accounts.sending(address, your_name, smtp, smtp_starttls, smtp_user) | {
        "password_command": password_command,
        "ca_file": ca_file,
        "folders": folder,
        "security": "tls" if tls else "starttls" if starttls else None,
    }
    given = sorted(k for k, v in changes.items() if v not in (None, [], ""))
    if not given:
        raise typer.BadParameter("Give at least one setting to change, like --smtp HOST[:PORT].")
    acc = accounts.update(config, name, changes)
    out.print(f"Updated {name}: {', '.join(given)}.")
    if folder:
        _check_folders(name, acc)


@account_app.command("password")
def account_password(name: str) -> None:
    """Store an account's password in the system keyring."""
    from onward import secrets

    Config.load().account(name)
    secrets.check_keyring(name)
    secret = typer.prompt("Password", hide_input=True)
    secrets.store_in_keyring(name, secret)
    out.print(f"Stored the password for {name} in the system keyring.")


@account_app.command("list")
def account_list() -> None:
    """List the configured accounts."""
    config = Config.load()
    if not config.accounts:
        out.print(
            "No accounts yet: onward account add NAME --imap HOST --user USER, or --path PATH"
        )
    for name, acc in sorted(config.accounts.items()):
        where = acc.get("path") or f"{acc.get('user')}@{acc.get('host')}:{acc.get('port')}"
        out.print(f"{name}\t{acc.get('type')}\t{where}")


@account_app.command("remove")
def account_remove(name: str) -> None:
    """Forget an account and the mail only it brought (mail another source has stays)."""
    from onward.store.forget import forget_source

    config = Config.load()
    config.account(name)
    forgotten = forget_source(open_store(config), name)
    del config.accounts[name]
    config.save()
    out.print(forgotten.sentence(name))


@app.command()
def scan(
    target: Annotated[
        str | None, typer.Argument(help="Account name or path (default: all accounts).")
    ] = None,
    folder: Annotated[
        list[str] | None, typer.Option(help="Folder to scan; repeat for more.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary as the last line.")
    ] = False,
) -> None:
    """Read new mail from an account or an export and store it."""
    from onward.progress import RichProgress

    config = Config.load()
    targets = [target] if target else sorted(config.accounts)
    if not targets:
        raise typer.BadParameter(
            "No accounts yet: give a path, or add one with `onward account add`."
        )
    store = open_store(config)
    loaded: list[Any] = []

    def load_classifier() -> Any:
        if not loaded:  # once for every target, and only when there is mail to classify
            from onward.classify.service import classifier_for

            loaded.append(classifier_for(store))
        return loaded[0]

    total = ScanSummary()
    failures = 0
    for t in targets:
        source, folders = accounts.source_for(config, t)
        scanner = Scanner(store, load_classifier=load_classifier)
        try:
            with RichProgress(f"Scanning {t}", enabled=None if not as_json else False) as progress:
                scanner.progress = progress
                summary = scanner.run(source, folder or folders)
        except KeyboardInterrupt:
            err.print(_stopped(total, scanner.summary, target))
            raise typer.Exit(130) from None
        if _state["debug"]:
            for exc in summary.exceptions:
                traceback.print_exception(exc)
        for problem in summary.problems:
            err.print(styled((f"{t}:", "yellow"), f" {problem}"))
        failures += summary.failed
        for k in ("scanned", "new", "skipped", "errors", "folders"):
            setattr(total, k, getattr(total, k) + getattr(summary, k))
        for kind, n in summary.kinds.items():
            total.kinds[kind] = total.kinds.get(kind, 0) + n
    from onward.tracker.repo import Tracker

    linked = Tracker(store).link_pending()
    from onward.actions.followup import link_answers

    answers = link_answers(store)
    if as_json:
        print(json.dumps(total.as_dict()))  # noqa: T201 (machine-readable, no Rich markup)
    else:
        out.print(
            f"Scanned {total.scanned:,} messages: {total.new:,} new, "
            f"{total.skipped:,} already known, {total.errors:,} unreadable."
        )
        if linked["linked"] or linked["review"]:
            out.print(
                f"Tracker: {linked['linked']} emails linked ({linked['opened']} new "
                f"applications), {linked['review']} wait in `onward review`."
            )
        if answers:
            out.print(f"{answers} answers to your follow-ups arrived (see `onward status`).")
        job = {k: n for k, n in total.kinds.items() if k != "not_job"}
        if job:
            counts = sorted(job.items(), key=lambda kv: -kv[1])
            out.print("Job mail: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts))
    if failures == len(targets):
        raise typer.Exit(1)


def _stopped(before: ScanSummary, current: ScanSummary, target: str | None) -> str:
    """What a Ctrl-C kept: the messages of every batch the database committed."""
    saved = before.scanned + current.scanned
    # "of N" only when N is the whole job: one folder, counted in messages, not bytes.
    whole = before.folders == 0 and current.folders == 1 and current.expected >= saved
    of = f" of {current.expected:,}" if whole else ""
    again = "onward scan" + (f" {shlex.quote(target)}" if target else "")
    return f"Stopped: {saved:,}{of} messages scanned and saved; run `{again}` again to continue."


@app.command()
def demo() -> None:
    """Show the whole product on the bundled demo mailbox, in a temporary home."""
    from onward.demo.run import run_demo

    run_demo(out)


def _print_version(wanted: bool) -> None:
    if wanted:
        out.print(f"onward {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (postgresql://...).")] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    _state["debug"] = _state["debug"] or debug
    if db:
        os.environ["ONWARD_DB"] = db


def main() -> None:
    os.umask(PRIVATE_UMASK)  # every file onward writes (database, WAL, drafts) is the person's
    Paths.default().make_private()
    if "--debug" in sys.argv[1:]:
        _state["debug"] = True
        sys.argv.remove("--debug")
    try:
        try:
            app()
        except SystemExit as done:
            if done.code in (0, None):
                checkin.offer_after(sys.argv[1:])
            raise
    except OnwardError as exc:
        if _state["debug"]:
            traceback.print_exc()
        err.print(styled(("Error:", "red"), f" {exc}"))
        sys.exit(1)
    except KeyboardInterrupt:
        err.print(
            "Interrupted. Everything stored so far is kept; run the command again to carry on."
        )
        sys.exit(130)
    except SQLAlchemyError as exc:  # its text is SQL and the driver's words, which may quote mail
        if _state["debug"]:
            raise
        err.print(
            styled(
                ("Database error:", "red"),
                f" the database refused an operation ({type(exc).__name__}). "
                "Run again with --debug for details.",
            )
        )
        sys.exit(1)
    except Exception as exc:  # the last line of defence: one sentence, not a traceback
        if _state["debug"]:
            raise
        err.print(
            styled(
                ("Unexpected error:", "red"),
                f" {type(exc).__name__}: {exc}. Run again with --debug for details.",
            )
        )
        sys.exit(1)
