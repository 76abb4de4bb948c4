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
from tests.runner import at_terminal, run


def onward(*args: str, home: Path, db: str) -> subprocess.CompletedProcess[str]:
    return run("--db", db, *args, home=home, timeout=120)


def apps(home: Path, db: str) -> list[dict[str, Any]]:
    done = onward("list", "--json", home=home, db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def export(home: Path, db: str) -> list[dict[str, Any]]:
    done = onward("export", "--format", "json", home=home, db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["applications"]  # type: ignore[no-any-return]


def links(db: str) -> list[tuple[int, int | None, str]]:
    """Every stored email: its id, its application and its link state."""
    from sqlalchemy import select

    from onward.store import Store
    from onward.store.schema import emails

    store = Store(db)
    with store.engine.connect() as conn:
        q = select(emails.c.id, emails.c.application_id, emails.c.link_state)
        rows = [tuple(r) for r in conn.execute(q.order_by(emails.c.id))]
    store.engine.dispose()
    return rows  # type: ignore[return-value]


def on_a_terminal(*args: str, home: Path, db: str, answers: list[str]) -> str:
    """Run onward on a pseudo-terminal, answering each prompt in turn; what it showed."""
    return " ".join(at_terminal(["--db", db, *args], home, answers)[1].split())


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def typo(home: Path, db_url: str, tmp_path: Path) -> Path:
    """Email 1 linked to #1 (Acme Robotics), #2 Initech by hand, and #3 "Quilsoft": a typo."""
    box = tmp_path / "in.mbox"
    body = (
        "Hi Sam,\n\nThank you for applying to Acme Robotics! We have received your "
        "application for the Data Analyst role and our team will review it.\n"
    )
    box.write_bytes(mbox_bytes([message(1, subject="Thank you for applying", body=body)]))
    assert onward("scan", str(box), home=home, db=db_url).returncode == 0
    assert onward("apply", "Initech", "Analyst", home=home, db=db_url).returncode == 0
    assert onward("reject", "Quilsoft", home=home, db=db_url).returncode == 0
    # The check-in after a rejection would answer first at a terminal: not today.
    home.joinpath("config.toml").write_text('[checkin]\nquiet_hours = "00:00-23:59"\n')
    assert [(a["id"], a["company"]) for a in apps(home, db_url)] == [
        (1, "Acme Robotics"),
        (2, "Initech"),
        (3, "Quilsoft"),
    ]
    assert links(db_url) == [(1, 1, "linked")]
    return home


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


def test_delete_asks_first_and_undo_brings_back_the_application_its_events_and_links(
    typo: Path, db_url: str
) -> None:
    before = export(typo, db_url)
    refused = onward("delete", "3", home=typo, db=db_url)
    assert "Deleting #3 (Quilsoft, rejected) removes it and its 1 event." in refused.stdout
    assert error_line(refused) == "Error: Nothing deleted: pass --yes to delete #3."
    assert export(typo, db_url) == before

    assert onward("delete", "3", "--yes", home=typo, db=db_url).returncode == 0
    done = onward("delete", "1", "--yes", home=typo, db=db_url)
    assert done.returncode == 0, done.stderr
    assert "and unlinks 1 email (kept: `onward review` lists it to link again)." in done.stdout
    assert "Deleted #1 (batch 2; `onward undo 2` brings it back)." in done.stdout
    assert [a["id"] for a in apps(typo, db_url)] == [2]
    assert links(db_url) == [(1, None, "review")]  # the email stays, unlinked
    review = onward("review", home=typo, db=db_url).stdout
    assert "its application #1 was deleted" in " ".join(review.split())
    listed = onward("batches", home=typo, db=db_url).stdout
    assert "delete       application #1 (Acme Robotics)" in listed
    assert "delete       application #3 (Quilsoft)" in listed

    back = onward("undo", home=typo, db=db_url)  # the newest first
    assert back.stdout.strip() == "Restored #1 (Acme Robotics) with its 1 event and 1 linked email."
    assert links(db_url) == [(1, 1, "linked")]
    assert onward("undo", "1", home=typo, db=db_url).returncode == 0
    assert export(typo, db_url) == before
    assert error_line(onward("undo", "1", home=typo, db=db_url)) == (
        "Error: Batch 1 was already undone."
    )
    assert "brought back application #3" in onward("batches", home=typo, db=db_url).stdout
    added = onward("apply", "Umbrella", "Analyst", home=typo, db=db_url)
    assert "Recorded application #4" in added.stdout  # a deleted id is not given out again


def test_an_email_linked_elsewhere_after_the_delete_stays_there_on_undo(
    typo: Path, db_url: str
) -> None:
    assert onward("delete", "1", "--yes", home=typo, db=db_url).returncode == 0
    assert onward("link", "1", "2", home=typo, db=db_url).returncode == 0
    back = onward("undo", home=typo, db=db_url)
    assert "Restored #1 (Acme Robotics) with its 0 events." in back.stdout, back.stderr
    assert "1 of its emails you have linked elsewhere since stay where they are." in back.stdout
    assert links(db_url) == [(1, 2, "linked")]
    assert {e["email_id"] for e in export(typo, db_url)[1]["events"]} == {None, 1}


def test_delete_at_a_terminal_shows_what_goes_and_asks(typo: Path, db_url: str) -> None:
    kept = on_a_terminal("delete", "3", home=typo, db=db_url, answers=["n"])
    assert "Deleting #3 (Quilsoft, rejected) removes it and its 1 event." in kept
    assert "Delete it? [y/N]:" in kept and "Nothing deleted." in kept
    assert [a["id"] for a in apps(typo, db_url)] == [1, 2, 3]
    gone = on_a_terminal("delete", "3", home=typo, db=db_url, answers=["y"])
    assert "Deleted #3" in gone
    assert [a["id"] for a in apps(typo, db_url)] == [1, 2]


def test_deleting_an_unknown_application_says_so(typo: Path, db_url: str) -> None:
    assert error_line(onward("delete", "9", "--yes", home=typo, db=db_url)) == (
        "Error: No application with id 9."
    )


@pytest.mark.parametrize(
    ("typed", "known", "meant"),
    [
        ("Quilsoft", ["Initech", "Quillsoft"], "Quillsoft"),
        ("Fernandfig", ["Fern & Fig"], "Fern & Fig"),
        ("Fern and Fig", ["Fern & Fig"], "Fern & Fig"),
        ("Lumen Lab", ["Lumen Labs"], "Lumen Labs"),
        ("QUILLSOFT, Inc.", ["Quillsoft"], None),  # the same employer: not a new one
        ("Acne", ["Acme"], None),  # short names one letter apart are often two employers
        ("Globex", ["Initech", "Acme Robotics"], None),
        ("", ["Acme"], None),
    ],
)
def test_a_new_employer_close_to_a_known_one_is_named(
    typed: str, known: list[str], meant: str | None
) -> None:
    from onward.tracker.match import similar_company

    assert similar_company(typed, known) == meant


@pytest.fixture
def quillsoft(home: Path, db_url: str) -> Path:
    assert onward("apply", "Quillsoft", "Support Engineer", home=home, db=db_url).returncode == 0
    assert onward("apply", "Fern & Fig", "Line Cook", home=home, db=db_url).returncode == 0
    home.joinpath("config.toml").write_text('[checkin]\nquiet_hours = "00:00-23:59"\n')
    return home


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("reject", "Quilsoft"), "No application at 'Quilsoft' yet: did you mean 'Quillsoft'"),
        (
            ("apply", "Fernandfig", "Cook"),
            "No application at 'Fernandfig' yet: did you mean 'Fern & Fig'",
        ),
        (
            ("save", "Quilsoft", "Cook"),
            "No application at 'Quilsoft' yet: did you mean 'Quillsoft'",
        ),
    ],
)
def test_a_typo_in_an_employer_is_refused_with_the_likely_name_in_a_script(
    quillsoft: Path, db_url: str, args: tuple[str, ...], says: str
) -> None:
    before = export(quillsoft, db_url)
    line = error_line(onward(*args, home=quillsoft, db=db_url))
    assert line == f"Error: {says} (or pass --new to add {args[1]!r})?"
    assert export(quillsoft, db_url) == before
    assert onward(*args, "--new", home=quillsoft, db=db_url).returncode == 0
    assert args[1] in [a["company"] for a in apps(quillsoft, db_url)]


def test_linking_to_a_new_employer_close_to_a_known_one_is_refused(
    quillsoft: Path, db_url: str, tmp_path: Path
) -> None:
    box = tmp_path / "in.mbox"
    # Mail the model is unsure of (it links nothing by itself): the person links it by hand.
    body = "Hi Sam,\n\nWe are all set for now, but I will remember you.\n\nPriya\n"
    box.write_bytes(mbox_bytes([message(1, subject="Your application", body=body)]))
    assert onward("scan", str(box), home=quillsoft, db=db_url).returncode == 0
    line = error_line(
        onward("link", "1", "new", "--company", "Quilsoft", home=quillsoft, db=db_url)
    )
    assert "did you mean 'Quillsoft'" in line
    assert [a["company"] for a in apps(quillsoft, db_url)] == ["Quillsoft", "Fern & Fig"]


def test_at_a_terminal_a_typo_in_an_employer_is_asked_about(quillsoft: Path, db_url: str) -> None:
    said = on_a_terminal("reject", "Quilsoft", home=quillsoft, db=db_url, answers=["y"])
    assert "No application at Quilsoft yet: did you mean Quillsoft? (no: add Quilsoft)" in said
    assert "Recorded the rejection on #1 (Quillsoft)" in said
    on_a_terminal("reject", "Quilsoft", "Cook", home=quillsoft, db=db_url, answers=["n"])
    assert [(a["company"], a["status"]) for a in apps(quillsoft, db_url)] == [
        ("Quillsoft", "rejected"),
        ("Fern & Fig", "applied"),
        ("Quilsoft", "rejected"),
    ]


def test_undoing_a_delete_gives_back_its_check_in_so_none_is_asked_again(
    typo: Path, db_url: str
) -> None:
    from sqlalchemy import select

    from onward.store import Store
    from onward.store.schema import checkins

    def answered() -> list[tuple[int | None, int | None]]:
        store = Store(db_url)
        with store.engine.connect() as conn:
            rows = conn.execute(select(checkins.c.event_id, checkins.c.application_id)).all()
        store.engine.dispose()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    done = onward("checkin", "--feeling", "fine", "--intensity", "2", home=typo, db=db_url)
    assert done.returncode == 0, done.stderr
    before = answered()
    assert [app for _, app in before] == [3]
    assert onward("delete", "3", "--yes", home=typo, db=db_url).returncode == 0
    assert answered() == [(None, None)]  # the check-in itself stays, in the history
    assert onward("undo", home=typo, db=db_url).returncode == 0
    assert answered() == before
