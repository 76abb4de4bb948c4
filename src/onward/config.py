"""Where onward keeps its files, and the TOML config of accounts and settings.

`ONWARD_HOME` puts config and data in one folder (tests, CI and the demo use it);
otherwise the platform's config and data folders are used.
"""

from __future__ import annotations

import os
import stat
import tomllib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

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
    paths: Paths
    data: dict[str, Any] = field(default_factory=dict)

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

    def save(self) -> None:
        self.paths.config_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.paths.config_file.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            tomli_w.dump(self.data, f)
        os.chmod(tmp, 0o600)
        tmp.replace(self.paths.config_file)  # atomic: a crash never leaves half a config

    @property
    def accounts(self) -> dict[str, dict[str, Any]]:
        accounts: dict[str, dict[str, Any]] = self.data.setdefault("accounts", {})
        return accounts

    def account(self, name: str) -> dict[str, Any]:
        try:
            return self.accounts[name]
        except KeyError:
            known = ", ".join(sorted(self.accounts)) or "none yet"
            raise ConfigError(f"No account named {name!r} (accounts: {known}).") from None

    @property
    def database_url(self) -> str:
        url = os.environ.get("ONWARD_DB") or self.data.get("database", {}).get("url")
        return url or f"sqlite:///{self.paths.database}"


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
