"""The watcher's small state file: whether it runs, since when, and the last thing it did."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE = "watch-state.json"


def path(data_dir: Path) -> Path:
    return data_dir / FILE


class StateFile:
    def __init__(self, data_dir: Path) -> None:
        self.path = path(data_dir)
        self.data: dict[str, Any] = {}
        self.lock = threading.Lock()  # every account's thread reports here

    def started(self, accounts: list[str]) -> None:
        now = _now()
        self.data = {
            "pid": os.getpid(),
            "started_at": now,
            "stopped_at": None,
            "accounts": {a: "starting" for a in accounts},
            "last": {"at": now, "what": "Started watching."},
        }
        self._write()

    def account(self, name: str, state: str) -> None:
        self.data.setdefault("accounts", {})[name] = state
        self._write()

    def did(self, what: str) -> None:
        self.data["last"] = {"at": _now(), "what": what}
        self._write()

    def stopped(self) -> None:
        self.data["stopped_at"] = _now()
        self.data["accounts"] = {a: "stopped" for a in self.data.get("accounts", {})}
        self.data["last"] = {"at": self.data["stopped_at"], "what": "Stopped watching."}
        self._write()

    def _write(self) -> None:
        with self.lock:
            self._write_now()

    def _write_now(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.data, f)
        Path(tmp).replace(self.path)  # atomic: --status never reads half a file


def read(data_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
