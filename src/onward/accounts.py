"""Accounts in the config, and turning an account or a path into a mail source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from onward import secrets
from onward.config import Account, Config, ConfigError, parse_account, parse_hostport
from onward.mail.sources import MailSource, detect_path_kind, open_path_source


def imap_table(
    hostport: str,
    user: str,
    security: str,
    password_command: str | None = None,
    oauth2_token_command: str | None = None,
    ca_file: str | None = None,
    folders: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An IMAP account's settings, as its [accounts.NAME] table holds them."""
    host, port = parse_hostport(hostport, security)
    if not host:
        raise ConfigError("The IMAP host is empty.")
    account: dict[str, Any] = {
        "type": "imap",
        "host": host,
        "port": port,
        "user": user,
        "security": security,
    }
    if password_command:
        account["password_command"] = password_command
    if oauth2_token_command:
        account["oauth2_token_command"] = oauth2_token_command
    if ca_file:
        account["ca_file"] = str(Path(ca_file).expanduser().resolve())
    if folders:
        account["folders"] = folders
    account.update(extra or {})
    return account


def sending(
    address: str | None,
    name: str | None,
    smtp: str | None,
    starttls: bool = False,
    smtp_user: str | None = None,
) -> dict[str, Any]:
    """Who the person is and how their replies leave, for follow-ups."""
    out: dict[str, Any] = {}
    if address:
        out["address"] = address
    if name:
        out["name"] = name
    if smtp:
        security = "starttls" if starttls else "tls"
        host, port = parse_hostport(smtp, security, default=587 if starttls else 465)
        out |= {"smtp_host": host, "smtp_port": port, "smtp_security": security}
    if smtp_user:
        out["smtp_user"] = smtp_user
    return out


def path_table(path: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A mail export's settings, as its [accounts.NAME] table holds them."""
    p = Path(path).expanduser().resolve()
    return {"type": detect_path_kind(p), "path": str(p), **(extra or {})}


def _mailbox(account: Account) -> tuple[str, ...]:
    """What makes two accounts the same mail: server and user, or the file on disk."""
    if account.is_imap:
        host = account.host.strip().lower().rstrip(".")
        return ("imap", host, str(account.port), account.user)
    if account.path is not None:
        return ("path", str(account.path.expanduser().resolve()))
    return ()


def same_mailbox(config: Config, account: Account) -> str | None:
    """The name of another account that reads the same mail, if there is one."""
    key = _mailbox(account)
    for other, table in sorted(config.account_tables.items()):
        if other == account.name or not key:
            continue
        try:
            acc = parse_account(other, table)
        except ConfigError:  # an account with a wrong value reads nothing until it is fixed
            continue
        if _mailbox(acc) == key:
            return other
    return None


def put(config: Config, name: str, account: dict[str, Any], replace: bool = False) -> None:
    if not name or "/" in name or name.startswith("."):
        raise ConfigError(f"{name!r} is not a usable account name.")
    if name in config.account_tables and not replace:
        raise ConfigError(
            f"An account named {name!r} already exists: change it with "
            f"`onward account set {name} ...`, or add --replace to start it over."
        )
    twin = same_mailbox(config, parse_account(name, account))
    if twin is not None:
        what = "mailbox (same server and user)" if account.get("type") == "imap" else "mail"
        raise ConfigError(
            f"Account {twin!r} already reads this {what}: scan it as {twin!r}, "
            "so every message is counted once."
        )
    config.account_tables[name] = account
    config.save()


def update(config: Config, name: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change only the given settings of an account; everything else stays as it was."""
    account = dict(config.account_table(name))  # unchecked: a wrong value is what `set` fixes
    is_imap = account.get("type") == "imap"
    for key, what in (("folders", "folders"), ("security", "IMAP security")):
        if changes.get(key) and not is_imap:
            raise ConfigError(f"Account {name!r} is not an IMAP account, so it has no {what}.")
    if changes.get("ca_file"):
        changes["ca_file"] = str(Path(changes["ca_file"]).expanduser().resolve())
    account.update({k: v for k, v in changes.items() if v not in (None, [], "")})
    parse_account(name, account)  # a value of the wrong kind is refused before it is written
    config.account_tables[name] = account
    config.save()
    return account


def source_for(
    config: Config, target: str, at_most: float | None = None, hand_over_secret: bool = False
) -> tuple[MailSource, list[str] | None]:
    """An account name or a path on disk, as a source and the folders it asks for. An
    account's server gets at most `at_most` seconds to answer, when given; for
    `hand_over_secret` see `account_source`."""
    if target in config.account_tables:
        account = config.account(target)
        timeout = None if at_most is None else min(account.timeout, at_most)
        return account_source(account, timeout, hand_over_secret)
    if Path(target).expanduser().exists():
        return open_path_source(Path(target)), None
    raise ConfigError(f"{target!r} is neither an account nor a file or folder.")


# The secrets `onward scan`'s quick check resolved, each kept for the full command that follows
# in the same process when the server has new mail: a password command that prompts (or wants a
# key touched) is then asked once. The first use takes it; nothing else ever keeps one.
_HANDED_OVER: dict[tuple[str, str, int, str], tuple[str, str]] = {}


def _secret(account: Account, hand_over: bool) -> Callable[[], tuple[str, str]]:
    key = (account.name, account.host or "", account.port, account.user or "")

    def secret() -> tuple[str, str]:
        handed = _HANDED_OVER.pop(key, None)
        if handed is not None:
            return handed
        value = secrets.resolve(account)
        if hand_over:
            _HANDED_OVER[key] = value
        return value

    return secret


def account_source(
    account: Account, timeout: float | None = None, hand_over_secret: bool = False
) -> tuple[MailSource, list[str] | None]:
    """The account's mail source and the folders it asks for; `timeout` overrides its own.
    `hand_over_secret`: the secret it resolves is kept for the next source of this account
    in this process (see `_HANDED_OVER`)."""
    name = account.name
    if account.is_imap:
        from onward.mail.sources.imap import ImapSettings, ImapSource

        for key in ("host", "user"):
            if not getattr(account, key):
                raise ConfigError(f"accounts.{name}.{key} is missing.")
        settings = ImapSettings(
            host=account.host,
            port=account.port,
            user=account.user,
            security=account.security,
            ca_file=account.ca_file,
            timeout=timeout if timeout is not None else account.timeout,
        )
        return ImapSource(name, settings, _secret(account, hand_over_secret)), account.folders
    if account.path is not None:
        return open_path_source(account.path, name), None
    raise ConfigError(f"Account {name!r} has neither an IMAP host nor a path.")
