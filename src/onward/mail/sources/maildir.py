"""Maildir (as kept by mbsync, offlineimap, Dovecot): cur/ and new/, subfolders as .Name."""

from __future__ import annotations

import os
import time
from collections.abc import Container, Iterator
from pathlib import Path
from typing import Any

from onward.mail.model import Locator, RawMessage
from onward.mail.sources.base import (
    Checkpoint,
    Expect,
    KnownKeys,
    ScanItem,
    Stamp,
    dir_stamp,
    unchanged,
)


def maildir_key(filename: str) -> str:
    # The part after ':2,' holds flags that change when mail is read; the key is stable.
    return filename.split(":", 1)[0].split("!", 1)[0]


def renamed(path: str) -> Path | None:
    """Where a Maildir message listed at `path` is now, if a mail client renamed it (its flags
    changed, or it moved from new/ to cur/); None when it is not a Maildir path or is gone."""
    p = Path(path)
    if p.parent.name not in ("cur", "new"):
        return None
    key = maildir_key(p.name)
    for sub in ("cur", "new"):
        try:
            with os.scandir(p.parent.parent / sub) as it:
                for e in it:
                    if maildir_key(e.name) == key:
                        return Path(e.path)
        except OSError:
            continue
    return None


class MaildirSource:
    kind = "maildir"

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    def _dir(self, folder: str) -> Path:
        return self.root if folder in ("", "INBOX") else self.root / f".{folder}"

    def folders(self, wanted: list[str] | None = None) -> list[str]:
        found = ["INBOX"]
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if (
                entry.name.startswith(".")
                and entry.is_dir()
                and (Path(entry.path) / "cur").is_dir()
            ):
                found.append(entry.name[1:])
        return [f for f in found if not wanted or f in wanted]

    def list_files(self, folder: str) -> list[tuple[str, str]]:
        base = self._dir(folder)
        return [(maildir_key(entry[4:]), f"{base}/{entry}") for entry in self._todo(folder, ())]

    def _todo(self, folder: str, have: Container[str]) -> list[str]:
        """The messages not stored yet, as "cur/name" or "new/name", by key.
        One short string each: a large Maildir's listing is held for the whole scan, and a
        (key, path) pair costs four times as much."""
        base = self._dir(folder)
        todo: list[str] = []
        for sub in ("cur", "new"):
            d = base / sub
            if d.is_dir():
                with os.scandir(d) as it:
                    todo.extend(
                        f"{sub}/{e.name}"
                        for e in it
                        if not e.name.startswith(".") and maildir_key(e.name) not in have
                    )
        todo.sort(key=lambda entry: (maildir_key(entry[4:]), entry))
        return todo

    def is_current(self, folder: str, state: dict[str, Any]) -> bool:
        """Nothing new: neither cur/ nor new/ changed since the scan that saved `state`."""
        base = self._dir(folder)
        return unchanged(state.get("dirs"), {sub: base / sub for sub in ("cur", "new")})

    def scan(self, folder: str, state: dict[str, Any], known: KnownKeys) -> Iterator[ScanItem]:
        base = self._dir(folder)
        dirs = {sub: base / sub for sub in ("cur", "new")}
        if self.is_current(folder, state):
            yield Checkpoint(folder, state)  # nothing new: two stats, no listing, no query
            return
        # Stamped before listing: an entry added while listing changes the mtime after it.
        now = time.time_ns()
        stamps: dict[str, Stamp | None] = {sub: dir_stamp(d, now) for sub, d in dirs.items()}
        todo = self._todo(folder, known(folder))
        yield Expect(len(todo))
        todo.reverse()
        while todo:  # each name freed once handed over: the listing shrinks as the scan goes
            entry = todo.pop()
            key = maildir_key(entry[4:])
            yield RawMessage(Locator(self.name, folder, key), b"", 0, path=f"{base}/{entry}")
        trusted = all(stamps.values())
        yield Checkpoint(folder, {"dirs": stamps} if trusted else {})

    def close(self) -> None:
        pass
