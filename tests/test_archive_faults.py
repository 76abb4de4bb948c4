"""Kill the server or onward itself in the middle of `onward archive`, then run it again.

Every message must end in exactly one folder, byte for byte the same, none lost, none
duplicated; the journal must be settled; and `onward undo` must restore the inbox exactly.
Runs with and without the MOVE extension (Dovecot configured to hide it).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dovecot import NO_MOVE, Dovecot, available, new_user
from tests.jobmail import inbox
from tests.runner import SRC, run
from tests.test_archive import ARCHIVE, folder_digest, last_json, ok
from tests.test_imap import add_account

TOTAL, REJECTIONS = 2000, 500
SEEDS = [11, 22, 33]


class Template:
    """One scanned mailbox, copied for each run (seeding and scanning 2,000 takes 8 s)."""

    def __init__(self, server: Dovecot, tmp: Path) -> None:
        self.server = server
        self.user = new_user()
        messages, _ = inbox(TOTAL, REJECTIONS, seed=5)
        server.seed(self.user, messages)
        self.home = tmp / "template-home"
        add_account(self.home, server, self.user)
        ok(run("scan", "work", home=self.home))
        c = server.client(self.user)
        self.digest = folder_digest(c, "INBOX")
        c.logout()

    def copy(self, home: Path) -> str:
        user = new_user()
        mail = self.server.dir / "mail"
        subprocess.run(["cp", "-a", str(mail / self.user), str(mail / user)], check=True)
        shutil.copytree(self.home, home)
        # The copied home's account, pointed at the copied mailbox.
        add_account(home, self.server, user, "--replace")
        return user


@pytest.fixture(scope="module", params=["move", "no-move"])
def template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    if not available():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed: .ci/run must install dovecot-imapd")
        pytest.skip("Dovecot is not installed (make test installs it)")
    server = Dovecot(NO_MOVE if request.param == "no-move" else "")
    server.start()
    try:
        yield Template(server, tmp_path_factory.mktemp(request.param))
    finally:
        server.cleanup()


def _journaled(db: Path, action: str) -> bool:
    """True once the run has journaled its first moves."""
    q = "SELECT count(*) FROM moves JOIN batches ON batches.id = batch_id WHERE action = ?"
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return bool(conn.execute(q, (action,)).fetchone()[0])
    except sqlite3.Error:
        return False


def interrupt(
    template: Template, home: Path, seed: int, what: str, command: str = "archive"
) -> subprocess.CompletedProcess[str]:
    """Start `onward COMMAND`, wait until it journals its first moves, then kill `what`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "onward", command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            "ONWARD_HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "PYTHONPATH": str(SRC),  # the checkout under test, as tests/runner.py does
        },
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and not _journaled(home / "onward.db", command):
        assert time.monotonic() < deadline
        time.sleep(0.002)
    time.sleep(random.Random(seed).uniform(0, 0.08))  # somewhere in the moving itself
    if what == "server":
        template.server.crash()
    else:
        proc.kill()
    out, errs = proc.communicate(timeout=60)
    if what == "server":
        template.server.start()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, errs)


def pending_moves(home: Path) -> int:
    with sqlite3.connect(home / "onward.db") as conn:
        return int(conn.execute("SELECT count(*) FROM moves WHERE state='pending'").fetchone()[0])


@pytest.mark.parametrize("what", ["server", "process"])
@pytest.mark.parametrize("seed", SEEDS)
def test_archive_survives_a_kill(template: Template, tmp_path: Path, seed: int, what: str) -> None:
    home = tmp_path / "home"
    user = template.copy(home)
    crashed = interrupt(template, home, seed, what)
    if what == "server" and crashed.returncode:
        assert "Traceback" not in crashed.stderr
        assert "dropped" in crashed.stderr or "connect" in crashed.stderr, crashed.stderr
    left = pending_moves(home)

    again = ok(run("archive", "--json", home=home))
    assert pending_moves(home) == 0
    summary = last_json(again)["summary"]
    print(f"seed {seed}, {what} killed: exit {crashed.returncode}, {left} pending, then {summary}")  # noqa: T201 (shown with -s)

    c = template.server.client(user)
    now_inbox, archived = folder_digest(c, "INBOX"), folder_digest(c, ARCHIVE)
    assert all(len(v) == 1 for v in now_inbox.values()), "a duplicate in INBOX"
    assert all(len(v) == 1 for v in archived.values()), "a duplicate in the archive"
    assert not set(now_inbox) & set(archived), "a message in both folders"
    assert (len(now_inbox), len(archived)) == (TOTAL - REJECTIONS, REJECTIONS)
    assert {**now_inbox, **archived} == template.digest  # none lost, each byte the same

    ok(run("undo", home=home))
    assert pending_moves(home) == 0
    assert folder_digest(c, "INBOX") == template.digest
    assert folder_digest(c, ARCHIVE) == {}
    c.logout()


@pytest.mark.parametrize("what", ["server", "process"])
def test_an_interrupted_undo_is_carried_on(template: Template, tmp_path: Path, what: str) -> None:
    home = tmp_path / "home"
    user = template.copy(home)
    ok(run("archive", home=home))
    interrupt(template, home, 7, what, "undo")
    with sqlite3.connect(home / "onward.db") as conn:
        finished = conn.execute(
            "SELECT count(*) FROM batches WHERE action = 'undo' AND finished_at IS NOT NULL"
        ).fetchone()[0]
    again = run("undo", home=home)
    if finished:  # the kill is timed, and on a busy machine it can land after the last move
        assert "There is no archive batch to undo" in again.stderr, again.stderr
    else:
        ok(again)  # carries on the interrupted undo, not a new one
    assert pending_moves(home) == 0
    c = template.server.client(user)
    assert folder_digest(c, "INBOX") == template.digest
    assert folder_digest(c, ARCHIVE) == {}
    c.logout()
    with sqlite3.connect(home / "onward.db") as conn:
        states = dict(conn.execute("SELECT archive_state, count(*) FROM emails GROUP BY 1"))
        undos = conn.execute("SELECT count(*) FROM batches WHERE action = 'undo'").fetchone()[0]
    assert states == {"": TOTAL - REJECTIONS, "restored": REJECTIONS}
    assert undos == 1
