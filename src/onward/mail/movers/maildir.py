"""Moving mail inside a Maildir: one rename per message, which POSIX makes atomic."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from onward.mail.movers.base import Located, Move, MoveError, Outcome
from onward.mail.sources.maildir import MaildirSource, maildir_key


class MaildirMover:
    def __init__(self, source: MaildirSource) -> None:
        self.source = source
        self.name = source.name
        self.commands: Counter[str] = Counter()
        self.relocates = True

    def folder_name(self, folder: str) -> str:
        # Maildir++ spells "Job search/Rejections" as the directory ".Job search.Rejections".
        return "INBOX" if folder.upper() == "INBOX" else folder.replace("/", ".")

    def _dir(self, folder: str) -> Path:
        return self.source._dir(folder)

    def _find(self, folder: str, key: str) -> Path | None:
        for sub in ("cur", "new"):
            d = self._dir(folder) / sub
            if not d.is_dir():
                continue
            with os.scandir(d) as it:
                for e in it:
                    if maildir_key(e.name) == key:
                        return Path(e.path)
        return None

    def prepare(self, folders: list[str]) -> dict[str, Any]:
        for folder in folders:
            base = self._dir(folder)
            try:
                for sub in ("tmp", "new", "cur"):
                    (base / sub).mkdir(parents=True, exist_ok=True)
                (base / "maildirfolder").touch(exist_ok=True)
            except OSError as exc:
                raise MoveError(f"Could not create the folder {base}: {exc.strerror}.") from exc
        return {}

    def locate(self, moves: list[Move]) -> Located:
        out = Located()
        for m in moves:
            if self._find(m.from_folder, m.from_key):
                out.found.append(m)
            else:
                out.missing.append((m, f"no longer in {m.from_folder}"))
        return out

    def move(self, moves: list[Move]) -> list[Outcome]:
        out = []
        for m in moves:
            path = self._find(m.from_folder, m.from_key)
            if path is None:
                out.append(Outcome(m.id, "gone", note=f"no longer in {m.from_folder}"))
                continue
            target = self._dir(m.to_folder) / path.parent.name / path.name
            try:
                self.commands["rename"] += 1
                path.rename(target)
            except OSError as exc:
                raise MoveError(f"Could not move {path.name}: {exc.strerror}.") from exc
            out.append(Outcome(m.id, "done", m.from_key))
        return out

    def reconcile(self, moves: list[Move], marks: dict[str, Any]) -> list[Outcome]:
        out = []
        for m in moves:
            if self._find(m.to_folder, m.from_key):
                out.append(Outcome(m.id, "done", m.from_key))
            elif self._find(m.from_folder, m.from_key):
                out.append(Outcome(m.id, "aborted", note="the move never happened"))
            else:
                out.append(
                    Outcome(m.id, "gone", note=f"in neither {m.from_folder} nor {m.to_folder}")
                )
        return out

    def close(self) -> None:
        pass
