"""An id that is not in the database gets one sentence naming it, never a database error, and
changes nothing: through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.factory import mbox_bytes, message
from tests.runner import run


def onward(*args: str, home: Path, db: str) -> subprocess.CompletedProcess[str]:
    return run("--db", db, *args, home=home, timeout=120)


def snapshot(home: Path, db: str) -> str:
    done = onward("export", "--format", "json", home=home, db=db)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def tracked(db_url: str, tmp_path: Path) -> Path:
    """Email 1 (linked to application #1) and application #2 (added by hand)."""
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    body = (
        "Hi Sam,\n\nThank you for applying to Acme Robotics! We have received your "
        "application for the Data Analyst role and our team will review it.\n"
    )
    box.write_bytes(mbox_bytes([message(1, subject="Thank you for applying", body=body)]))
    assert onward("scan", str(box), home=home, db=db_url).returncode == 0
    assert onward("apply", "Initech", "Analyst", home=home, db=db_url).returncode == 0
    apps = json.loads(onward("list", "--json", home=home, db=db_url).stdout)
    assert [a["id"] for a in apps] == [1, 2]
    return home


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("link", "1", "999"), "No application with id 999."),
        (("link", "999", "2"), "No email with id 999."),
        (
            ("link", "1", "abc"),
            "'abc' is neither an application id nor 'new' (`onward list` shows the ids).",
        ),
        (("followup", "#999"), "No application with id 999."),
        (("followup", "999"), "No application with id 999."),
        (("edit", "999", "--role", "Analyst"), "No application with id 999."),
        (("merge", "2", "999"), "No application with id 999."),
        (("merge", "999", "2"), "No application with id 999."),
        (("merge", "2", "2"), "An application cannot be merged into itself."),
        (("split", "999", "1"), "No application with id 999."),
        (("split", "1", "999"), "No email with id 999."),
    ],
)
def test_an_unknown_id_is_named_in_one_sentence_and_nothing_changes(
    tracked: Path, db_url: str, args: tuple[str, ...], says: str
) -> None:
    before = snapshot(tracked, db_url)
    done = onward(*args, home=tracked, db=db_url)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"Error: {says}"], done.stderr
    assert "Traceback" not in done.stderr and "Integrity" not in done.stderr
    assert snapshot(tracked, db_url) == before
