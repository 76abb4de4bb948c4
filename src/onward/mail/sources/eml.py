"""A single .eml file or a folder of them, searched recursively."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
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


class EmlSource:
    kind = "eml"

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    def folders(self, wanted: list[str] | None = None) -> list[str]:
        return [""]

    def files(self) -> list[tuple[str, Path]]:
        return self.listing(time.time_ns())[0]

    def listing(self, now_ns: int) -> tuple[list[tuple[str, Path]], dict[str, Stamp] | None]:
        """The .eml files under the root, and each directory's stamp taken just before it was
        listed (None when one cannot be trusted): the walk of `Path.rglob`, symlinked
        directories not followed, unreadable ones skipped."""
        if self.root.is_file():
            return [(self.root.name, self.root)], None
        found: list[tuple[str, Path]] = []
        stamps: dict[str, Stamp] | None = {}
        todo = [self.root]
        while todo:
            d = todo.pop()
            rel = d.relative_to(self.root).as_posix()
            stamp = dir_stamp(d, now_ns)
            try:
                with os.scandir(d) as it:
                    entries = list(it)
            except OSError:
                stamps = None  # its files are unknown, and a chmod will not change its mtime
                continue
            if stamps is not None:
                if stamp is None:
                    stamps = None
                else:
                    stamps[rel] = stamp
            for e in entries:
                p = Path(e.path)
                if e.is_dir(follow_symlinks=False):
                    todo.append(p)
                # Not is_file(): a FIFO or socket named .eml is listed, then counted unreadable.
                elif not e.is_dir() and p.suffix.lower() == ".eml":
                    found.append((p.relative_to(self.root).as_posix(), p))
        return sorted(found), stamps

    def is_current(self, folder: str, state: dict[str, Any]) -> bool:
        """Nothing new: no directory under the root changed since the scan that saved `state`
        (a single file has no stamps, so it is listed again)."""
        stored = state.get("dirs")
        return isinstance(stored, dict) and unchanged(stored, {k: self.root / k for k in stored})

    def scan(self, folder: str, state: dict[str, Any], known: KnownKeys) -> Iterator[ScanItem]:
        if self.is_current(folder, state):
            yield Checkpoint(folder, state)  # nothing new: one stat per directory
            return
        files, stamps = self.listing(time.time_ns())
        have = known(folder)
        todo = [(k, p) for k, p in files if k not in have]
        yield Expect(len(todo))
        for key, path in todo:
            yield RawMessage(Locator(self.name, "", key), b"", 0, path=str(path))
        yield Checkpoint(folder, {"dirs": stamps} if stamps else {})

    def close(self) -> None:
        pass
