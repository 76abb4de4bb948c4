"""Ctrl-C during a scan: one sentence saying what was kept, exit 130, and the next scan
carries on without duplicates (a real scan subprocess, interrupted as a terminal does)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.dovecot import Dovecot, new_user
from tests.jobmail import inbox
from tests.runner import SRC, run
from tests.test_archive import ok
from tests.test_imap import add_account

STOPPED = re.compile(
    r"^Stopped: ([\d,]+) of ([\d,]+) messages scanned and saved; "
    r"run `(onward scan[^`]*)` again to continue\.$"
)


def stored(home: Path) -> tuple[int, int]:
    """How many emails the database holds, and how many distinct Message-IDs among them."""
    try:
        conn = sqlite3.connect(f"file:{home / 'onward.db'}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0, 0  # not created yet
    try:
        return conn.execute("SELECT count(*), count(DISTINCT message_id) FROM emails").fetchone()
    except sqlite3.Error:
        return 0, 0  # no tables yet
    finally:
        conn.close()


def interrupted_scan(home: Path, *target: str) -> subprocess.CompletedProcess[str]:
    """`onward scan [TARGET]`, sent SIGINT (to its whole process group, as Ctrl-C at a terminal
    is) once its first batch is in the database."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "onward", "scan", *target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As at a terminal: a runner started in the background (nohup, `cmd &`) hands its
        # children SIGINT ignored, and Python then never turns Ctrl-C into KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={"ONWARD_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)}
        | {"PYTHONPATH": str(SRC)},
    )
    deadline = time.monotonic() + 120
    while stored(home)[0] == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the scan ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def check_stop(done: subprocess.CompletedProcess[str], home: Path, total: int, again: str) -> int:
    assert done.returncode == 130
    assert "Traceback" not in done.stderr and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    said = STOPPED.match(line)
    assert said, line
    saved = int(said[1].replace(",", ""))
    assert int(said[2].replace(",", "")) == total and said[3] == again
    assert 0 < saved < total
    assert stored(home) == (saved, saved)  # the sentence counts what the database holds
    return saved


def test_ctrl_c_during_a_maildir_scan_says_what_was_kept_and_the_next_scan_finishes(
    home: Path, tmp_path: Path
) -> None:
    total = 5000  # over 2000: parsed by worker processes, which get the SIGINT too
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    messages, _ = inbox(total, total // 10)
    for i, raw in enumerate(messages):
        (maildir / "cur" / f"{i}.host:2,S").write_bytes(raw)
    saved = check_stop(interrupted_scan(home, str(maildir)), home, total, f"onward scan {maildir}")
    again = ok(run("scan", str(maildir), home=home))
    assert f"{total - saved:,} new" in again.stdout
    assert stored(home) == (total, total)


def test_ctrl_c_during_a_scan_of_every_account_says_to_scan_every_account_again(
    home: Path, tmp_path: Path
) -> None:
    total = 5000
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for i, raw in enumerate(inbox(total, total // 10)[0]):
        (maildir / "cur" / f"{i}.host:2,S").write_bytes(raw)
    ok(run("account", "add", "mail", "--path", str(maildir), home=home))
    # Not `onward scan mail`: going on must scan every account, as the command did.
    saved = check_stop(interrupted_scan(home), home, total, "onward scan")
    assert f"{total - saved:,} new" in ok(run("scan", home=home)).stdout


def test_ctrl_c_during_an_imap_scan_says_what_was_kept_and_the_next_scan_finishes(
    dovecot: Dovecot, home: Path
) -> None:
    total = 2000  # parsed in the scanning process itself, with checkpoints per fetch
    user = new_user()
    messages, _ = inbox(total, total // 10, seed=3)
    dovecot.seed(user, messages)
    add_account(home, dovecot, user)
    saved = check_stop(interrupted_scan(home, "work"), home, total, "onward scan work")
    again = ok(run("scan", "work", home=home))
    assert f"{total - saved:,} new" in again.stdout
    assert stored(home) == (total, total)
