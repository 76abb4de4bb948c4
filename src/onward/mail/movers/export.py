"""Exports (an mbox such as Google Takeout, .eml files) are never modified.

Archiving one of their messages records it in the database and, when asked, appends a copy
to an archive mbox. The append is idempotent by Message-ID, so a crash never duplicates.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from onward.mail.movers.base import Located, Move, MoveError, Outcome, norm_mid
from onward.mail.parse import parse_message
from onward.mail.sources.mbox import split_mbox

RECORDED = "(recorded)"
_FROM = re.compile(rb"^(>*From )", re.MULTILINE)


class ExportMover:
    def __init__(self, name: str, kind: str, root: Path, copy_to: Path | None = None) -> None:
        self.name = name
        self.kind = kind  # mbox | eml
        self.root = root
        self.copy_to = copy_to
        self.commands: Counter[str] = Counter()
        self.relocates = False
        self._have: set[tuple[str, str]] | None = None

    def folder_name(self, folder: str) -> str:
        return str(self.copy_to) if self.copy_to else RECORDED

    def prepare(self, folders: list[str]) -> dict[str, Any]:
        if self.copy_to:
            try:
                self.copy_to.parent.mkdir(parents=True, exist_ok=True)
                self.copy_to.touch(mode=0o600, exist_ok=True)  # archived mail: the person's alone
            except OSError as exc:
                raise MoveError(f"Could not create {self.copy_to}: {exc.strerror}.") from exc
        return {}

    def locate(self, moves: list[Move]) -> Located:
        out = Located()
        for m in moves:
            if not self.copy_to or self._exists(m):
                out.found.append(m)
            else:
                out.missing.append((m, f"{self.root} no longer holds it"))
        return out

    def _exists(self, m: Move) -> bool:
        if self.kind == "eml":
            return self._eml_path(m).is_file()
        return self.root.is_file() and self.root.stat().st_size > int(m.from_key)

    def _eml_path(self, m: Move) -> Path:
        return self.root if self.root.is_file() else self.root / m.from_key

    def _archived(self) -> set[tuple[str, str]]:
        """What the copy holds, as `_key`s: two messages sharing a Message-ID are both kept."""
        if self._have is None:
            self._have = set()
            if self.copy_to and self.copy_to.exists():
                with open(self.copy_to, "rb") as f:
                    for _off, data, _size in split_mbox(f, 0, 0):
                        found = parse_message(data)
                        mid = norm_mid(found.message_id)
                        self._have |= {(mid, found.fingerprint), (mid, "")}
        return self._have

    def _mbox_bytes(self, m: Move) -> bytes:
        if self.kind == "eml":
            data = self._eml_path(m).read_bytes().replace(b"\r\n", b"\n")
            return b"From onward@localhost Thu Jan  1 00:00:00 1970\n" + _FROM.sub(rb">\1", data)
        with open(self.root, "rb") as f:
            _off, _data, size = next(split_mbox(f, int(m.from_key), 0))
            f.seek(int(m.from_key))
            return f.read(size)  # the exact bytes, already quoted the mbox way

    def move(self, moves: list[Move]) -> list[Outcome]:
        if not self.copy_to:
            return [
                Outcome(m.id, "done", note="recorded; the export is left as it is") for m in moves
            ]
        have = self._archived()
        out = []
        try:
            with open(self.copy_to, "ab") as f:
                for m in moves:
                    # By Message-ID and header fingerprint (by Message-ID alone if unknown).
                    key = (norm_mid(m.message_id), m.fingerprint)
                    if key not in have:
                        data = self._mbox_bytes(m)
                        f.write(data if data.endswith(b"\n\n") else data.rstrip(b"\n") + b"\n\n")
                        self.commands["append"] += 1
                        have |= {key, (key[0], "")}
                    out.append(Outcome(m.id, "done", note=f"copied to {self.copy_to}"))
                f.flush()
                os.fsync(f.fileno())
        except (OSError, StopIteration) as exc:
            raise MoveError(f"Could not copy into {self.copy_to}: {exc}.") from exc
        return out

    def reconcile(self, moves: list[Move], marks: dict[str, Any]) -> list[Outcome]:
        return self.move(moves)  # appending is idempotent: by Message-ID and fingerprint

    def close(self) -> None:
        pass
