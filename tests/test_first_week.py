"""Issue 14's walkthrough, replayed: a new user's first week on a real Dovecot, every step
from `account add` to `undo`, on the 145-message mailbox of tests/first_week.py."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.dovecot import Dovecot, new_user
from tests.first_week import mailbox
from tests.runner import run
from tests.test_hostile import digest
from tests.test_imap import add_account

ARCHIVE = "Job search/Rejections"


def ok(*args: str, home: Path) -> str:
    done = run(*args, home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


def refused(*args: str, home: Path) -> str:
    """A command that must say no in one plain sentence, without a traceback."""
    done = run(*args, home=home)
    said = done.stdout + done.stderr
    assert done.returncode != 0, said
    assert "Traceback" not in said and "Unexpected error" not in said, said
    assert "IntegrityError" not in said, said
    return said


def db(home: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(home / "onward.db") as conn:
        return conn.execute(sql, args).fetchall()


def email_id(home: Path, n: int) -> int:
    return int(
        db(home, "SELECT id FROM emails WHERE message_id = ?", f"<week-{n}@first-week.test>")[0][0]
    )


def test_a_first_week_from_account_add_to_undo(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, mailbox())
    c = dovecot.client(user)
    before = digest(c, ["INBOX"])
    add_account(home, dovecot, user, "--address", "sam@example.org", "--your-name", "Sam Rivera")
    imap = ["--imap", f"127.0.0.1:{dovecot.port}", "--user", user, "--starttls"]

    # The same name again replaces nothing; the same mailbox under a new name is refused.
    assert "--replace" in refused("account", "add", "work", *imap, home=home)
    assert "work" in refused("account", "add", "mail2", *imap, home=home)
    config = (home / "config.toml").read_text()
    assert "password_command" in config and "sam@example.org" in config

    # A folder that does not exist is reported; the ones that do are scanned.
    ok("account", "set", "work", "--folder", "INBOX", "--folder", "Jobz", home=home)
    scanned = json.loads(ok("scan", "--json", home=home).splitlines()[-1])
    assert scanned["new"] == 145 and scanned["errors"] == 1, scanned

    # Everything marked for review is shown for review; a person's invitation in the thread of
    # its own confirmation is an interview, decided or shown for review as one, never hidden.
    marked = {r[0] for r in db(home, "SELECT id FROM emails WHERE needs_review")}
    review = [json.loads(ln) for ln in ok("review", "--json", home=home).splitlines()]
    assert marked and {r["id"] for r in review} == marked
    invitation = email_id(home, 903)
    assert db(home, "SELECT kind FROM emails WHERE id = ?", invitation)[0][0] == "interview"

    # Wrong ids are a sentence; a friend's mail gets no thank-you letter unless asked.
    refused("link", str(email_id(home, 905)), "999", home=home)
    refused("followup", "#999", home=home)
    dinner = str(email_id(home, 909))
    refused("followup", "--email", dinner, home=home)
    assert db(home, "SELECT count(*) FROM followups")[0][0] == 0

    # A correction fills in the employer, and the draft names it.
    jonas = email_id(home, 906)
    ok("label", str(jonas), "rejection", home=home)
    company = db(home, "SELECT company FROM emails WHERE id = ?", jonas)[0][0]
    assert company, "the correction re-runs extraction"
    draft = ok("followup", "--email", str(jonas), "--show", home=home)
    assert "your team" not in draft and str(company) in draft

    # Archive, then undo: the mailbox is as it was, byte for byte.
    ok("archive", home=home)
    assert sum(digest(c, [ARCHIVE]).values()) > 0
    ok("undo", home=home)
    assert digest(c, ["INBOX", ARCHIVE]) == before
    c.logout()
