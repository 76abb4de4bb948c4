"""Undoing what was typed by mistake: deleting an application (and undoing that), a "did you
mean" before a new employer that is close to a known one, the valid statuses named, and ids
never handed out twice. Through the real command, on SQLite and PostgreSQL (issue 14)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.factory import mbox_bytes, message
from tests.runner import run


def onward(*args: str, home: Path, db: str) -> subprocess.CompletedProcess[str]:
    return run("--db", db, *args, home=home, timeout=120)


def apps(home: Path, db: str) -> list[dict[str, Any]]:
    done = onward("list", "--json", home=home, db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_an_unknown_status_is_refused_with_the_valid_ones_named(home: Path, db_url: str) -> None:
    assert onward("apply", "Initech", "Analyst", home=home, db=db_url).returncode == 0
    line = error_line(onward("edit", "1", "--status", "foo", home=home, db=db_url))
    assert line == (
        "Error: 'foo' is not a status; use one of: saved, applied, assessment, interview, "
        "offer, rejected, withdrawn, ghosted."
    )
    assert apps(home, db_url)[0]["status"] == "applied"
