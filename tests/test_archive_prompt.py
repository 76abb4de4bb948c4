"""`onward archive` at a terminal: the rejections without a follow-up are listed once and the
person answers once (all, none, or the ones they choose); keys typed ahead for that question
never answer the check-in that follows it."""

from __future__ import annotations

import mailbox
import os
import re
import sqlite3
import subprocess
import termios
import time
from pathlib import Path

import pytest

from onward.cli.archive import picked_rows
from onward.terminal import discard_typed_ahead
from tests.jobmail import other, rejection
from tests.runner import at_terminal as on_terminal
from tests.runner import run


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def at_terminal(
    args: list[str],
    home: Path,
    typed_ahead: str = "",
    answers: tuple[tuple[str, str], ...] = (),
    timeout: float = 60,
) -> tuple[int, str]:
    """`onward ARGS` on a wide pseudo-terminal; each (prompt, answer) typed once that prompt
    shows."""
    return on_terminal(args, home, answers, typed_ahead, columns=160, timeout=timeout)


@pytest.fixture
def mailbox_home(tmp_path: Path, home: Path) -> Path:
    """A Maildir with three rejections (months old) among everyday mail, scanned, and a
    rejection by phone today, which the check-in after the next command asks about."""
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(6):
        md.add(rejection(i, human=True) if i % 2 else other(i))
    address = ("--address", "sam@example.org", "--your-name", "Sam Rivera")
    ok(run("account", "add", "box", "--path", str(tmp_path / "Mail"), *address, home=home))
    ok(run("scan", "box", home=home))
    ok(run("reject", "Initech", "Analyst", home=home))
    return tmp_path / "Mail"


def drafted(home: Path) -> list[str]:
    with sqlite3.connect(home / "onward.db") as conn:
        q = "SELECT e.subject FROM followups f JOIN emails e ON e.id = f.email_id ORDER BY e.id"
        return [r[0] for r in conn.execute(q)]


def checkins_done(home: Path) -> list[str]:
    with sqlite3.connect(home / "onward.db") as conn:
        return [r[0] for r in conn.execute("SELECT feeling FROM checkins WHERE state = 'done'")]


def test_archive_lists_the_rejections_once_and_asks_once(mailbox_home: Path, home: Path) -> None:
    code, said = at_terminal(
        ["archive"],
        home,
        answers=(
            ("Draft a thank-you reply first", "choose"),
            ("Which ones", "1 3"),
            ("Feeling", ""),
        ),
    )
    assert code == 0, said
    assert "3 rejections have no follow-up yet:" in said
    listed = re.findall(r"^ +\d+  [^:\n]+: (.+)$", said, re.MULTILINE)
    assert len(listed) == 3
    assert said.count("Draft a thank-you reply") == 1  # one question for all three
    assert [subject[:60] for subject in drafted(home)] == [listed[0], listed[2]]
    assert "3 messages archived" in said
    assert len(mailbox.Maildir(mailbox_home / ".Job search.Rejections", create=False)) == 3


@pytest.mark.parametrize(("answer", "drafts"), [("none", 0), ("all", 3), ("", 3)])
def test_archive_at_a_terminal_drafts_all_or_none_on_one_answer(
    mailbox_home: Path, home: Path, answer: str, drafts: int
) -> None:
    code, said = at_terminal(
        ["archive"], home, answers=(("Draft a thank-you reply first", answer), ("Feeling", ""))
    )
    assert code == 0, said
    assert len(drafted(home)) == drafts and said.count("Drafted a follow-up") == drafts
    assert "3 messages archived" in said


def test_without_a_terminal_archive_asks_nothing_as_before(mailbox_home: Path, home: Path) -> None:
    done = ok(run("archive", home=home))
    assert "3 rejections have no follow-up yet: `onward followup` lists them" in done.stdout
    assert "Draft a thank-you reply first" not in done.stdout
    assert drafted(home) == [] and "3 messages archived" in done.stdout


def test_keys_typed_ahead_for_archive_never_answer_the_check_in(
    mailbox_home: Path, home: Path
) -> None:
    # "none" answers the archive's question; "sad", "4" and a note were typed ahead of the
    # check-in and must not answer it: only what is typed once it shows counts.
    code, said = at_terminal(
        ["archive"], home, typed_ahead="none\nsad\n4\nugh\n", answers=(("Feeling", ""),)
    )
    assert code == 0, said
    assert "How do you feel?" in said and "Skipped." in said
    assert checkins_done(home) == []
    assert drafted(home) == [] and "3 messages archived" in said


def test_discarding_typed_ahead_keys_empties_a_real_terminals_input() -> None:
    master, slave = os.openpty()
    try:
        with os.fdopen(os.dup(slave), "r") as stream:
            os.write(master, b"sad\n4\n")
            time.sleep(0.1)
            discard_typed_ahead(stream)
            os.write(master, b"fine\n")
            assert stream.readline() == "fine\n"
            attrs = termios.tcgetattr(slave)
            assert attrs[3] & termios.ICANON  # still the same terminal, in line mode
    finally:
        os.close(master)
        os.close(slave)


def test_discarding_typed_ahead_keys_leaves_piped_input_alone(tmp_path: Path) -> None:
    piped = tmp_path / "answers.txt"
    piped.write_text("sad\n4\n")
    with piped.open() as stream:
        discard_typed_ahead(stream)
        assert stream.readline() == "sad\n"


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("", []),
        ("none", []),
        ("n", []),
        ("all", [0, 1, 2, 3, 4]),
        ("A", [0, 1, 2, 3, 4]),
        ("1 3", [0, 2]),
        ("3,1", [0, 2]),
        ("2-4", [1, 2, 3]),
        ("1, 2-3 3", [0, 1, 2]),
        ("6", None),
        ("0", None),
        ("4-2", None),
        ("maybe", None),
        ("1-", None),
    ],
)
def test_an_answer_picks_rows_by_number_or_says_it_is_not_one(
    answer: str, picked: list[int] | None
) -> None:
    assert picked_rows(answer, 5) == picked
