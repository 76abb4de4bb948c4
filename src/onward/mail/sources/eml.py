"""A single .eml file or a folder of them, searched recursively."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from onward.mail.model import Locator, RawMessage
from onward.mail.sources.base import Checkpoint, Expect, KnownKeys, ScanItem


class EmlSource:
    kind = "eml"

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    def folders(self, wanted: list[str] | None = None) -> list[str]:
        return [""]

    def files(self) -> list[tuple[str, Path]]:
        if self.root.is_file():
            return [(self.root.name, self.root)]
        # Not is_file(): a FIFO or socket named .eml is listed, then counted unreadable.
        found = [p for p in self.root.rglob("*") if not p.is_dir() and p.suffix.lower() == ".eml"]
        return sorted((p.relative_to(self.root).as_posix(), p) for p in found)

    def scan(self, folder: str, state: dict[str, Any], known: KnownKeys) -> Iterator[ScanItem]:
        have = known(folder)
        todo = [(k, p) for k, p in self.files() if k not in have]
        yield Expect(len(todo))
        for key, path in todo:
            yield RawMessage(Locator(self.name, "", key), b"", 0, path=str(path))
        yield Checkpoint(folder, {})

    def close(self) -> None:
        pass
