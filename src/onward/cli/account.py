"""`onward account`: the mailboxes and exports onward reads, and how it sends as the person."""

from __future__ import annotations

from typing import Annotated

import typer

from onward import accounts
from onward.cli.app import err, open_store, out
from onward.config import Account, Config, ConfigError, parse_account
from onward.errors import OnwardError
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
    person: Annotated[
        str | None,
        typer.Option(help="Add it to this person of a deployment (`onward people`), not here."),
    ] = None,
    sync_every: Annotated[
        int, typer.Option(min=1, help="With --person: minutes between the workers' syncs.")
    ] = 15,
) -> None:
    """Add an IMAP account (--imap) or a mail export on disk (--path)."""
    config = Config.load()
    if path and imap:
        raise typer.BadParameter("Give either --imap or --path, not both.")
    if not path and (not imap or not user):
        raise typer.BadParameter("An IMAP account needs --imap HOST[:PORT] and --user USER.")
    if tls and starttls:
        raise typer.BadParameter("Choose --tls or --starttls, not both.")
    extra = accounts.sending(address, your_name, smtp, smtp_starttls, smtp_user)
    security = "starttls" if starttls else "tls"
    table = (
        accounts.path_table(path, extra)
        if path
        else accounts.imap_table(
            imap or "",
            user or "",
            security,
            password_command,
            oauth2_token_command,
            ca_file,
            folder,
            extra,
        )
    )
    if person:
        _add_for_person(config, person, name, table, sync_every, replace)
        return
    accounts.put(config, name, table, replace)
    if path:
        out.print(f"Added {name}: {table['type']} at {table['path']}")
        return
    out.print(f"Added {name}: {table['user']} at {table['host']}:{table['port']} ({security})")
    if folder:
        _check_folders(config.account(name))
    if not password_command and not oauth2_token_command:
        out.print(f"Store its password with: onward account password {name}")


def _add_for_person(
    config: Config, person: str, name: str, table: dict[str, object], every: int, replace: bool
) -> None:
    from onward.fleet.providers import queue_for
    from onward.store.fleet import Fleet, FleetError

    if table.get("type") == "imap" and not (
        table.get("password_command") or table.get("oauth2_token_command")
    ):
        raise FleetError(
            "A person's account needs --password-command or --oauth2-token-command: the "
            "workers that sync it read no keyring."
        )
    parse_account(name, table)  # a value of the wrong kind is refused before it is written
    fleet = Fleet(config.database_url)
    try:
        queue = queue_for(table)
        fleet.add_account(person, name, dict(table), queue, every, replace)
    finally:
        fleet.close()
    out.print(f"Added {name} for {person}: synced every {every} minutes in queue {queue}.")


def _check_folders(acc: Account) -> None:
    """Warn now about folders the server lacks; stay quiet when it cannot be reached."""
    from onward.mail.sources.imap import missing_folders

    source, folders = accounts.account_source(acc, timeout=10)
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
                f" {acc.host} has no folder named {missing!r}{like}; "
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
    accounts.update(config, name, changes)
    out.print(f"Updated {name}: {', '.join(given)}.")
    if folder:
        _check_folders(config.account(name))


@account_app.command("password")
def account_password(name: str) -> None:
    """Store an account's password in the system keyring."""
    from onward import secrets

    Config.load().account_table(name)
    secrets.check_keyring(name)
    secret = typer.prompt("Password", hide_input=True)
    secrets.store_in_keyring(name, secret)
    out.print(f"Stored the password for {name} in the system keyring.")


@account_app.command("list")
def account_list() -> None:
    """List the configured accounts."""
    config = Config.load()
    if not config.account_tables:
        out.print(
            "No accounts yet: onward account add NAME --imap HOST --user USER, or --path PATH"
        )
    for name, table in sorted(config.account_tables.items()):
        try:
            acc = parse_account(name, table)
        except ConfigError as exc:  # listed with what to fix, not a reason to list nothing
            out.print(f"{name}\t{table.get('type', '?')}\t{exc} Fix it with `onward account set`.")
            continue
        where = acc.path or f"{acc.user}@{acc.host}:{acc.port}"
        out.print(f"{name}\t{acc.kind}\t{where}")


@account_app.command("remove")
def account_remove(name: str) -> None:
    """Forget an account and the mail only it brought (mail another source has stays)."""
    from onward.store.forget import forget_source

    config = Config.load()
    config.account_table(name)  # unchecked: an account with a wrong value can still go
    forgotten = forget_source(open_store(config), name)
    del config.account_tables[name]
    config.save()
    out.print(forgotten.sentence(name))


def register(app: typer.Typer) -> None:
    app.add_typer(account_app, name="account")
