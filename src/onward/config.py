"""Where onward keeps its files, and the TOML config of accounts and settings.

`ONWARD_HOME` puts config and data in one folder (tests, CI and the demo use it);
otherwise the platform's config and data folders are used.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onward.errors import BadInput

APP = "onward"
# The person's mail, words and feelings: readable by them alone, whatever their umask.
PRIVATE_UMASK = 0o077
PRIVATE_DIR = 0o700


class ConfigError(BadInput):
    """The config file or an account in it is not usable."""


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "onward.db"

    @classmethod
    def default(cls) -> Paths:
        home = os.environ.get("ONWARD_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(root, root)
        import platformdirs  # only here: with ONWARD_HOME set, onward starts without it (3 ms)

        return cls(Path(platformdirs.user_config_dir(APP)), Path(platformdirs.user_data_dir(APP)))

    def make_data_dir(self) -> None:
        self.data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)

    def make_private(self) -> None:
        """Take group and other access off everything onward keeps (older installs left 0644)."""
        for root in {self.config_dir, self.data_dir}:
            if root.is_dir() and not root.is_symlink():
                _tighten(root)
                with suppress(OSError):  # an unreadable corner must not stop onward starting
                    for path in root.rglob("*"):  # rglob does not follow symlinked folders
                        _tighten(path)


def _tighten(path: Path) -> None:
    try:
        st = path.lstat()
        if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
            path.chmod(stat.S_IMODE(st.st_mode) & ~0o077)
    except OSError:
        pass  # another user's file, or gone meanwhile: nothing of ours to protect there


@dataclass
class Config:
    """The config file as read (`data`, written back as it is) and its sections as typed
    settings, parsed by the functions below each time they are asked for, so an edit to
    `data` (an account added) is seen at once."""

    paths: Paths
    data: dict[str, Any] = field(default_factory=dict)
    # A person of a deployment: their settings live in its database, never in this file.
    for_person: str = ""

    @classmethod
    def load(cls, paths: Paths | None = None) -> Config:
        paths = paths or Paths.default()
        if not paths.config_file.exists():
            return cls(paths, {})
        try:
            with open(paths.config_file, "rb") as f:
                return cls(paths, tomllib.load(f))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{paths.config_file} is not valid TOML ({exc}).") from exc

    def as_person(self, name: str, folder: str, account_tables: dict[str, Any]) -> None:
        """This run acts for a person of a deployment: their accounts and nothing of this
        computer's own (its accounts, its settings), files of theirs (drafts of mail onward
        cannot write back) in a folder of their own, and nothing written to the config file."""
        self.data = {"accounts": account_tables}
        home = self.person_home(folder)
        # Their own feelings file and follow-up template too, never this computer's.
        self.paths = Paths(home / "config", home)
        self.for_person = name

    def person_home(self, folder: str) -> Path:
        """Where files of a deployment's person are kept on this computer."""
        return self.paths.data_dir / "people" / folder

    def save(self) -> None:
        if self.for_person:
            raise ConfigError(
                f"{self.for_person}'s settings are kept in the deployment, not in this "
                "computer's config file."
            )
        self.paths.config_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.paths.config_file.with_suffix(".tmp")
        import tomli_w  # only where the config is written: reading it never needs it

        with open(tmp, "wb") as f:
            tomli_w.dump(self.data, f)
        os.chmod(tmp, 0o600)
        tmp.replace(self.paths.config_file)  # atomic: a crash never leaves half a config

    @property
    def account_tables(self) -> dict[str, dict[str, Any]]:
        """The [accounts.NAME] tables as written, for the commands that change them."""
        tables: dict[str, dict[str, Any]] = self.data.setdefault("accounts", {})
        return tables

    @property
    def accounts(self) -> dict[str, Account]:
        return {name: parse_account(name, t) for name, t in self.account_tables.items()}

    def account_table(self, name: str) -> dict[str, Any]:
        """The account's table as written, unchecked: what `account set`, `remove` and
        `password` work on, so that an account with a wrong value can still be fixed or removed."""
        try:
            return self.account_tables[name]
        except KeyError:
            known = ", ".join(sorted(self.account_tables)) or "none yet"
            raise ConfigError(f"No account named {name!r} (accounts: {known}).") from None

    def account(self, name: str) -> Account:
        return parse_account(name, self.account_table(name))

    def find_account(self, name: str) -> Account | None:
        """The account of this name, or None; the other accounts are not read."""
        table = self.account_tables.get(name)
        return None if table is None else parse_account(name, table)

    @property
    def archive(self) -> ArchiveSettings:
        return parse_archive(self.data)

    @property
    def followup(self) -> FollowupSettings:
        return parse_followup(self.data)

    @property
    def checkin(self) -> CheckinSettings:
        return parse_checkin(self.data)

    @property
    def watch(self) -> WatchOptions:
        return parse_watch(self.data)

    @property
    def person(self) -> str:
        """In a deployment for many people: whose data this run reads and changes."""
        return os.environ.get("ONWARD_PERSON", "")

    @property
    def database_url(self) -> str:
        url = os.environ.get("ONWARD_DB") or self.data.get("database", {}).get("url")
        return url or f"sqlite:///{self.paths.database}"


# Typed sections --------------------------------------------------------------------------
# Each parser takes the TOML data and returns frozen settings; a value of the wrong type is
# refused with a sentence naming its key, like "accounts.work.port must be a number."


@dataclass(frozen=True)
class Sending:
    """Who the person is and how their replies leave, for follow-ups."""

    address: str = ""
    name: str = ""  # the person's own name, to sign with
    smtp_host: str = ""
    smtp_port: int | None = None
    smtp_security: str = "tls"  # tls | starttls
    smtp_user: str = ""


@dataclass(frozen=True)
class Account:
    """One [accounts.NAME] table: an IMAP mailbox, or a mail export on disk."""

    name: str
    kind: str  # "imap", or the export's kind: "mbox", "maildir" or "eml" ("" when unknown)
    host: str = ""
    port: int = 0
    user: str = ""
    security: str = "tls"  # checked where the connection is made (mail.sources.imap)
    ca_file: str | None = None
    password_command: str = ""
    oauth2_token_command: str = ""
    folders: list[str] | None = None  # None: the source's default (INBOX)
    path: Path | None = None
    timeout: float = 30.0
    sending: Sending = field(default_factory=Sending)

    @property
    def is_imap(self) -> bool:
        return self.kind == "imap"


@dataclass(frozen=True)
class ArchiveSettings:
    """[archive]; None leaves the choice to the archive's own default."""

    folder: str | None = None
    min_confidence: float | None = None


@dataclass(frozen=True)
class FollowupSettings:
    """[followup]: the person's identity for mail scanned without an account, and what to
    do about a rejection before it is archived."""

    before_archive: str = "ask"  # ask | draft | skip
    address: str = ""
    name: str = ""
    check_back_weeks: int | None = None  # None: the follow-up's own default
    recontact_days: int | None = None


@dataclass(frozen=True)
class CheckinSettings:
    prompt: bool = True
    quiet_hours: str = ""


@dataclass(frozen=True)
class WatchOptions:
    """What [watch] asks the watcher to do; its timings are `watch.plan.WatchSettings`."""

    archive: bool = False
    archive_delay_minutes: float | None = None
    quiet_hours: str | None = None  # None: the check-in's quiet hours
    notify: bool = True
    apprise_urls: tuple[str, ...] = ()


class _Table:
    """One TOML table read by key, each wrong value refused by its dotted key."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where} in the config must be a table of settings.")
        self.data: dict[str, object] = data
        self.where = where

    def _wrong(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.where}.{key} must be {what}.")

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._wrong(key, "text")
        return value

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self.data else None

    def number(self, key: str, default: float | None = None) -> float | None:
        value = self.data.get(key, default)
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return None if value is None else float(value)
        raise self._wrong(key, "a number")

    def whole(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._wrong(key, "a whole number")
        return value

    def port(self, key: str) -> int | None:
        value = self.data.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)  # an older onward wrote "993" as text
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            raise self._wrong(key, "a number")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false")
        return value

    def texts(self, key: str) -> list[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "a list of text")
        return list(value)

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self._wrong(key, " or ".join(repr(c) for c in choices))
        return value


def parse_account(name: str, table: object) -> Account:
    t = _Table(table, f"accounts.{name}")
    path = t.optional_text("path")
    kind = t.text("type", "")
    return Account(
        name=name,
        kind=kind,
        host=t.text("host"),
        port=t.port("port") or 0,
        user=t.text("user"),
        security=t.text("security", "tls"),
        ca_file=t.optional_text("ca_file"),
        password_command=t.text("password_command"),
        oauth2_token_command=t.text("oauth2_token_command"),
        folders=t.texts("folders"),
        path=Path(path) if path is not None else None,
        timeout=t.number("timeout", 30.0) or 30.0,
        sending=Sending(
            address=t.text("address"),
            name=t.text("name"),
            smtp_host=t.text("smtp_host"),
            smtp_port=t.port("smtp_port"),
            smtp_security=t.choice("smtp_security", "tls", ("tls", "starttls")),
            smtp_user=t.text("smtp_user"),
        ),
    )


def parse_archive(data: Mapping[str, object]) -> ArchiveSettings:
    t = _Table(data.get("archive", {}), "archive")
    return ArchiveSettings(t.optional_text("folder"), t.number("min_confidence"))


def parse_followup(data: Mapping[str, object]) -> FollowupSettings:
    t = _Table(data.get("followup", {}), "followup")
    return FollowupSettings(
        before_archive=t.choice("before_archive", "ask", ("ask", "draft", "skip")),
        address=t.text("address"),
        name=t.text("name"),
        check_back_weeks=t.whole("check_back_weeks"),
        recontact_days=t.whole("recontact_days"),
    )


def parse_checkin(data: Mapping[str, object]) -> CheckinSettings:
    t = _Table(data.get("checkin", {}), "checkin")
    return CheckinSettings(prompt=t.flag("prompt", True), quiet_hours=t.text("quiet_hours"))


def parse_watch(data: Mapping[str, object]) -> WatchOptions:
    t = _Table(data.get("watch", {}), "watch")
    delay = t.number("archive_delay_minutes")
    return WatchOptions(
        archive=t.flag("archive", False),
        archive_delay_minutes=delay or None,
        quiet_hours=t.optional_text("quiet_hours"),
        notify=t.flag("notify", True),
        apprise_urls=tuple(t.texts("apprise_urls") or t.texts("apprise_url") or ()),
    )


def parse_hostport(value: str, security: str, default: int | None = None) -> tuple[str, int]:
    """HOST[:PORT]; the default port is IMAP's (993 or 143) unless another is given."""
    default = default or (993 if security == "tls" else 143)
    if value.startswith("["):  # [::1]:993
        host, _, rest = value[1:].partition("]")
        return host, int(rest.lstrip(":") or default)
    host, sep, port = value.rpartition(":")
    if sep and port.isdigit():
        return host, int(port)
    return value, default
