"""Accounts in the config, and turning an account or a path into a mail source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onward import secrets
from onward.config import Config, ConfigError, parse_hostport
from onward.mail.sources import MailSource, detect_path_kind, open_path_source


def add_imap(
    config: Config,
    name: str,
    hostport: str,
    user: str,
    security: str,
    password_command: str | None = None,
    oauth2_token_command: str | None = None,
    ca_file: str | None = None,
    folders: list[str] | None = None,
    extra: dict[str, Any] | None = None,
    replace: bool = False,
) -> dict[str, Any]:
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
    _put(config, name, account, replace)
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


def add_path(
    config: Config,
    name: str,
    path: str,
    extra: dict[str, Any] | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    p = Path(path).expanduser().resolve()
    account = {"type": detect_path_kind(p), "path": str(p), **(extra or {})}
    _put(config, name, account, replace)
    return account


def _mailbox(account: dict[str, Any]) -> tuple[str, ...]:
    """What makes two accounts the same mail: server and user, or the file on disk."""
    if account.get("type") == "imap":
        host = str(account.get("host", "")).strip().lower().rstrip(".")
        return ("imap", host, str(account.get("port")), str(account.get("user", "")))
    if "path" in account:
        return ("path", str(Path(account["path"]).expanduser().resolve()))
    return ()


def same_mailbox(config: Config, name: str, account: dict[str, Any]) -> str | None:
    """The name of another account that reads the same mail, if there is one."""
    key = _mailbox(account)
    for other, acc in sorted(config.accounts.items()):
        if other != name and key and _mailbox(acc) == key:
            return other
    return None


def _put(config: Config, name: str, account: dict[str, Any], replace: bool = False) -> None:
    if not name or "/" in name or name.startswith("."):
        raise ConfigError(f"{name!r} is not a usable account name.")
    if name in config.accounts and not replace:
        raise ConfigError(
            f"An account named {name!r} already exists: change it with "
            f"`onward account set {name} ...`, or add --replace to start it over."
        )
    twin = same_mailbox(config, name, account)
    if twin is not None:
        what = "mailbox (same server and user)" if account.get("type") == "imap" else "mail"
        raise ConfigError(
            f"Account {twin!r} already reads this {what}: scan it as {twin!r}, "
            "so every message is counted once."
        )
    config.accounts[name] = account
    config.save()


def update(config: Config, name: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change only the given settings of an account; everything else stays as it was."""
    account = dict(config.account(name))
    for key, what in (("folders", "folders"), ("security", "IMAP security")):
        if changes.get(key) and account.get("type") != "imap":
            raise ConfigError(f"Account {name!r} is not an IMAP account, so it has no {what}.")
    if changes.get("ca_file"):
        changes["ca_file"] = str(Path(changes["ca_file"]).expanduser().resolve())
    account.update({k: v for k, v in changes.items() if v not in (None, [], "")})
    config.accounts[name] = account
    config.save()
    return account


def source_for(config: Config, target: str) -> tuple[MailSource, list[str] | None]:
    """An account name or a path on disk, as a source and the folders it asks for."""
    if target in config.accounts:
        return account_source(target, config.accounts[target])
    if Path(target).expanduser().exists():
        return open_path_source(Path(target)), None
    raise ConfigError(f"{target!r} is neither an account nor a file or folder.")


def account_source(name: str, account: dict[str, Any]) -> tuple[MailSource, list[str] | None]:
    if account.get("type") == "imap":
        from onward.mail.sources.imap import ImapSettings, ImapSource

        settings = ImapSettings(
            host=account["host"],
            port=int(account["port"]),
            user=account["user"],
            security=account.get("security", "tls"),
            ca_file=account.get("ca_file"),
            timeout=float(account.get("timeout", 30)),
        )
        return ImapSource(name, settings, lambda: secrets.resolve(name, account)), account.get(
            "folders"
        )
    if "path" in account:
        return open_path_source(Path(account["path"]), name), None
    raise ConfigError(f"Account {name!r} has neither an IMAP host nor a path.")
