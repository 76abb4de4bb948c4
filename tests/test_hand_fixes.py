"""Undoing what was typed by mistake: deleting an application (and undoing that), a "did you
mean" before a new employer that is close to a known one, the valid statuses named, and ids
never handed out twice. Through the real command, on SQLite and PostgreSQL (issue 14)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

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


def test_a_merged_applications_id_is_never_given_to_a_new_one(home: Path, db_url: str) -> None:
    for company in ("Initech", "Globex"):
        assert onward("apply", company, "Analyst", home=home, db=db_url).returncode == 0
    assert onward("merge", "1", "2", home=home, db=db_url).returncode == 0
    done = onward("apply", "Umbrella", "Analyst", home=home, db=db_url)
    assert "Recorded application #3" in done.stdout, done.stdout + done.stderr
    assert [a["id"] for a in apps(home, db_url)] == [1, 3]


def test_upgrading_sqlite_to_ids_never_reused_keeps_every_row(tmp_path: Path) -> None:
    """The tables are rebuilt: no row that points at them may go with the old ones."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from onward.store import Store
    from onward.store.db import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with create_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        for sql in (
            "INSERT INTO emails (id, source, fingerprint) VALUES (1, 's', 'f'), (2, 's', 'g')",
            "INSERT INTO locations (email_id, source, folder, key) VALUES (1, 's', 'INBOX', '1')",
            "INSERT INTO applications (id, company, company_key, status, reached) "
            "VALUES (1, 'Initech', 'initech', 'applied', 'applied')",
            "INSERT INTO events (id, application_id, kind, email_id) "
            "VALUES (1, 1, 'application_received', 1)",
            "INSERT INTO checkins (event_id, application_id, state) VALUES (1, 1, 'done')",
            "INSERT INTO corrections (email_id, kind) VALUES (2, 'rejection')",
        ):
            conn.execute(text(sql))
    store = Store(url)
    with store.engine.begin() as conn:
        rows = {
            t: conn.execute(text(f"SELECT * FROM {t}")).all()
            for t in ("emails", "locations", "applications", "events", "checkins", "corrections")
        }
        assert {t: len(r) for t, r in rows.items()} == dict.fromkeys(rows, 1) | {"emails": 2}
        assert rows["checkins"][0].event_id == 1 and rows["corrections"][0].email_id == 2
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        conn.execute(text("DELETE FROM emails WHERE id = 2"))
        conn.execute(text("INSERT INTO emails (source, fingerprint) VALUES ('s', 'h')"))
        assert conn.execute(text("SELECT max(id) FROM emails")).scalar() == 3
