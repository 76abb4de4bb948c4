"""A message the database refuses never blocks the others, and no database error a person
sees carries mail (issue 12, item 2). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from onward.mail.model import Locator, RawMessage
from onward.mail.parse import parse_message
from onward.store import Store, StoreError
from onward.store.db import email_row
from onward.store.schema import emails
from tests.factory import message
from tests.runner import run

MARK = "Kumquat"  # in every body, subject and name below: it must never be printed


def private(i: int, subject: str | None = None) -> bytes:
    return message(
        i,
        subject=subject or f"{MARK} interview {i}",
        sender=f"{MARK} Recruiting <jobs{i}@{MARK.lower()}.example>",
        body=f"Dear Sam,\n\n{MARK} private note {i}: your salary wish was noted.\n",
    )


def onward(db: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return run("--db", db, *args, home=home, timeout=120)


def test_a_nul_subject_among_normal_mail_is_stored_and_rescans_say_no_mail(
    db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "emls"
    folder.mkdir()
    for i in range(9):
        (folder / f"{i}.eml").write_bytes(private(i))
    nul = private(9, subject="placeholder").replace(
        b"Subject: placeholder", b"Subject: =?utf-8?q?a=00b?="
    )
    (folder / "9.eml").write_bytes(nul)
    home = tmp_path / "home"
    for expected_new in (10, 0):  # the rescan must work too
        done = onward(db_url, "scan", str(folder), "--json", home=home)
        assert done.returncode == 0, done.stderr[-300:].replace(MARK, "<mark>")
        assert MARK.lower() not in (done.stdout + done.stderr).lower()
        assert json.loads(done.stdout.strip().splitlines()[-1])["new"] == expected_new
    store = Store(db_url)
    assert store.count_emails() == 10
    assert store.find_emails("test-9@onward.test")[0]["subject"] == "ab"


def items(store_source: str, raws: list[bytes]) -> list[tuple[RawMessage, object, int, None]]:
    out = []
    for i, raw in enumerate(raws):
        loc = Locator(store_source, "INBOX", str(i + 1), 7)
        out.append((RawMessage(loc, raw, len(raw)), parse_message(raw), len(raw), None))
    return out


def test_a_value_the_database_refuses_skips_that_message_alone(db_url: str) -> None:
    store = Store(db_url)
    batch = items("acct", [private(i) for i in range(6)])
    raw, email, size, _ = batch[3]
    # A lone surrogate: text neither SQLite nor PostgreSQL can store (the parser no longer
    # makes one; the store must not depend on that).
    batch[3] = (raw, replace(email, subject=f"{MARK} \ud800", text=f"{MARK} \ud800"), size, None)
    written = store.write_batch("acct", batch, [("INBOX", {"uid": 6})])  # type: ignore[arg-type]
    assert written.new == 5 and len(written.refused) == 1
    assert written.refused[0].startswith(
        "Skipped the message at acct:INBOX:4: the database refused one of its values ("
    )
    assert MARK not in written.refused[0] and "\n" not in written.refused[0]
    assert store.count_emails("acct") == 5
    assert store.folder_state("acct", "INBOX") == {"uid": 6}  # the scan goes on past it
    again = store.write_batch("acct", batch[:3], [("INBOX", {"uid": 7})])  # type: ignore[arg-type]
    assert again.new == 0 and again.refused == ()


def refuse_inserts(store: Store, table: str) -> None:
    """Make the database itself refuse every new row of a table (not the mail's fault)."""
    sql = (
        f"CREATE TRIGGER refuse BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'no'); END"
        if store.engine.dialect.name == "sqlite"
        else f"ALTER TABLE {table} ADD CONSTRAINT refuse CHECK (false) NOT VALID"
    )
    with store.engine.begin() as conn:
        conn.execute(text(sql))


def test_a_database_that_refuses_every_message_stops_the_scan_and_skips_nothing(
    db_url: str,
) -> None:
    store = Store(db_url)
    refuse_inserts(store, "emails")
    with pytest.raises(StoreError, match="refused every message") as caught:
        store.write_batch(
            "acct", items("acct", [private(i) for i in range(3)]), [("INBOX", {"uid": 3})]
        )  # type: ignore[arg-type]
    assert MARK not in str(caught.value)
    assert store.folder_state("acct", "INBOX") == {}  # the next scan reads them again


def test_database_errors_never_carry_the_values_they_were_given(db_url: str) -> None:
    store = Store(db_url)
    row = email_row("acct", parse_message(private(1)), 10, datetime.now(UTC))
    with store.engine.begin() as conn:
        conn.execute(emails.insert(), [row])
    with pytest.raises(SQLAlchemyError) as caught, store.engine.begin() as conn:
        conn.execute(emails.insert(), [row])  # the same (source, fingerprint) again
    assert MARK.lower() not in str(caught.value).split("DETAIL")[0].lower()
    assert "[parameters" not in str(caught.value)


def test_a_database_error_in_a_command_is_one_sentence_without_mail(
    db_url: str, tmp_path: Path
) -> None:
    store = Store(db_url)
    refuse_inserts(store, "applications")
    store.close()
    folder = tmp_path / "emls"
    folder.mkdir()
    (folder / "1.eml").write_bytes(
        message(
            1,
            subject=f"Your application to {MARK} Robotics",
            sender=f"{MARK} Robotics <no-reply@greenhouse.io>",
            body=f"Thank you for applying to {MARK} Robotics. We received your application "
            "for the Data Analyst position and will review it shortly.\n",
        )
    )
    done = onward(db_url, "scan", str(folder), home=tmp_path / "home")
    assert done.returncode == 1
    said = done.stdout + done.stderr
    assert "Database error" in done.stderr and "Traceback" not in said
    assert MARK.lower() not in said.lower() and "[parameters" not in said
