"""`onward scan` with nothing new is answered before the command line is built (`cli/quick.py`),
and only when the full command would give the same answer.

Each command runs in its own interpreter, which says at exit whether it built the command line
(and whether it loaded SQLAlchemy: the quick answer must not)."""

from __future__ import annotations

import json
import mailbox
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.dovecot import PASSWORD, Dovecot, new_user
from tests.factory import mbox_bytes, message
from tests.runner import run

SRC = str(Path(__file__).resolve().parent.parent / "src")
_RUN = """
import atexit, sys
def way():
    full = "onward.cli.root" in sys.modules
    assert full or "sqlalchemy" not in sys.modules
    print("FULL" if full else "QUICK", file=sys.stderr)
atexit.register(way)
sys.argv = ["onward", *sys.argv[1:]]
from onward.cli.entry import main
main()
"""


def onward(home: Path, *args: str, status: int = 0) -> tuple[str, str]:
    """What the command printed, and which way it went ("QUICK" or "FULL")."""
    env = {**os.environ, "ONWARD_HOME": str(home), "PYTHONPATH": SRC}
    env.pop("ONWARD_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == status, done.stderr
    return done.stdout, done.stderr.strip().splitlines()[-1]


def _settled_maildir(tmp_path: Path, n: int) -> Path:
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(n):
        md.add(message(i))
    md.add_folder("Jobs").add(message(100))
    root = tmp_path / "Mail"
    _settle(root)
    return root


def _settle(root: Path) -> None:
    """Delivered an hour ago: a directory changed within the last 2 s is never trusted."""
    then = time.time_ns() - 3600 * 1_000_000_000
    for d in ("cur", "new", ".Jobs/cur", ".Jobs/new"):
        os.utime(root / d, ns=(then, then))


def test_a_rescan_with_nothing_new_is_answered_quickly_and_as_the_full_command_answers(
    tmp_path: Path,
) -> None:
    root = _settled_maildir(tmp_path, 5)
    home = tmp_path / "home"
    first, way = onward(home, "scan", str(root), "--json")
    assert json.loads(first)["new"] == 6 and way == "FULL"
    for args in (["--json"], []):
        (home / "last-scan.json").rename(home / "kept.json")  # no stamp: the full answer
        full, way = onward(home, "scan", str(root), *args)
        assert way == "FULL"
        (home / "kept.json").unlink()
        quick, way = onward(home, "scan", str(root), *args)
        assert way == "QUICK"
        assert quick == full


def test_new_mail_options_and_unknown_targets_go_the_full_way(tmp_path: Path) -> None:
    root = _settled_maildir(tmp_path, 3)
    home = tmp_path / "home"
    onward(home, "scan", str(root))
    assert onward(home, "scan", str(root), "--json")[1] == "QUICK"
    assert onward(home, "scan", str(root), "--folder", "Jobs", "--json")[1] == "FULL"
    assert onward(home, "scan", "--json", status=2)[1] == "FULL"  # no accounts: it says so
    mailbox.Maildir(root, create=False).get_folder("Jobs").add(message(7))
    out, way = onward(home, "scan", str(root), "--json")
    assert way == "FULL" and json.loads(out)["new"] == 1


def test_anything_written_to_the_database_since_the_last_scan_sends_the_rescan_the_full_way(
    tmp_path: Path,
) -> None:
    root = _settled_maildir(tmp_path, 3)
    home = tmp_path / "home"
    onward(home, "scan", str(root))
    assert onward(home, "scan", str(root), "--json")[1] == "QUICK"
    onward(home, "goal", "7")  # a setting: nothing to do with mail, but the database changed
    assert onward(home, "scan", str(root), "--json")[1] == "FULL"
    assert onward(home, "scan", str(root), "--json")[1] == "QUICK"


def test_an_mbox_that_grew_or_was_rewritten_goes_the_full_way(tmp_path: Path) -> None:
    box = tmp_path / "inbox.mbox"
    box.write_bytes(mbox_bytes([message(i) for i in range(4)]))
    home = tmp_path / "home"
    onward(home, "scan", str(box))
    assert onward(home, "scan", str(box), "--json")[1] == "QUICK"
    with open(box, "ab") as f:
        f.write(mbox_bytes([message(9)]))
    out, way = onward(home, "scan", str(box), "--json")
    assert way == "FULL" and json.loads(out)["new"] == 1
    assert onward(home, "scan", str(box), "--json")[1] == "QUICK"
    rewritten = tmp_path / "new.mbox"  # a mail client rewrites the file: another inode
    rewritten.write_bytes(box.read_bytes())
    rewritten.replace(box)
    assert onward(home, "scan", str(box), "--json")[1] == "FULL"


def test_a_stamp_that_cannot_be_written_leaves_the_scan_a_success(tmp_path: Path) -> None:
    """The stamp is only a shortcut: a full disk or a folder in its place fails nothing."""
    root = _settled_maildir(tmp_path, 2)
    home = tmp_path / "home"
    (home / "last-scan.json").mkdir(parents=True)  # neither replaced nor removed
    out, way = onward(home, "scan", str(root), "--json")
    assert way == "FULL" and json.loads(out)["new"] == 3
    assert onward(home, "scan", str(root), "--json")[1] == "FULL"
    assert not [p for p in home.iterdir() if p.name.startswith(".last-scan")]  # no debris


def test_a_stamp_from_other_code_sends_the_rescan_the_full_way(tmp_path: Path) -> None:
    """After an upgrade the full command runs: it migrates the database, and its rules may
    link mail the old ones did not."""
    root = _settled_maildir(tmp_path, 2)
    home = tmp_path / "home"
    onward(home, "scan", str(root))
    stamp = json.loads((home / "last-scan.json").read_text())
    stamp["code"] = ["0.0.9", "0001"]
    (home / "last-scan.json").write_text(json.dumps(stamp))
    assert onward(home, "scan", str(root), "--json")[1] == "FULL"


def test_a_scan_with_stdin_closed_reads_the_mail(tmp_path: Path) -> None:
    root = _settled_maildir(tmp_path, 2)
    env = {**os.environ, "ONWARD_HOME": str(tmp_path / "home"), "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "-m", "onward", "scan", str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=lambda: os.close(0),  # noqa: PLW1509 (a closed stdin, as `onward scan <&-`)
    )
    assert done.returncode == 0, done.stderr
    assert "3 new" in done.stdout


def test_a_write_through_a_symlinked_database_held_open_elsewhere_is_seen(tmp_path: Path) -> None:
    """SQLite keeps the log beside the file the symlink points to; while another connection
    (the dashboard, a watch) holds the database open, a write stays in that log."""
    root = _settled_maildir(tmp_path, 2)
    home = tmp_path / "home"
    onward(home, "scan", str(root))
    real = tmp_path / "elsewhere" / "onward.db"
    real.parent.mkdir()
    (home / "onward.db").replace(real)
    (home / "onward.db").symlink_to(real)
    (home / "last-scan.json").unlink()
    holder = sqlite3.connect(real)
    try:
        holder.execute("select count(*) from emails").fetchone()
        onward(home, "scan", str(root))  # stamps the database behind the symlink
        assert onward(home, "scan", str(root), "--json")[1] == "QUICK"
        with holder:
            holder.execute("insert into settings (key, value) values ('weekly_goal', '9')")
        assert onward(home, "scan", str(root), "--json")[1] == "FULL"
    finally:
        holder.close()


def test_a_commit_that_overwrites_the_log_in_place_is_seen_even_in_the_same_clock_tick(
    tmp_path: Path,
) -> None:
    """After a restart of the write-ahead log, commits overwrite its frames in place: its
    size and header stay, and on a coarse clock so may its mtime. The log's index moves."""
    root = _settled_maildir(tmp_path, 2)
    home = tmp_path / "home"
    onward(home, "scan", str(root))
    db = home / "onward.db"
    holder = sqlite3.connect(db)  # another program keeps the database (and its log) open
    try:
        with holder:
            for i in range(200):  # a long log
                holder.execute(
                    "insert into settings (key, value) values (?, ?)", (f"k{i}", "x" * 500)
                )
        holder.execute("pragma wal_checkpoint(restart)")
        mailbox.Maildir(root, create=False).add(message(9))
        _settle(root)
        out, way = onward(home, "scan", str(root), "--json")  # restarts the log, then stamps
        assert way == "FULL" and json.loads(out)["new"] == 1
        assert onward(home, "scan", str(root), "--json")[1] == "QUICK"
        wal = Path(f"{db}-wal")
        before = wal.stat()
        with holder:
            holder.execute("update settings set value = 'y' where key = 'k1'")
        after = wal.stat()
        assert after.st_size == before.st_size  # overwritten in place
        os.utime(wal, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same tick
        assert onward(home, "scan", str(root), "--json")[1] == "FULL"
    finally:
        holder.close()


def test_two_exports_scanned_in_turn_are_both_answered_quickly(tmp_path: Path) -> None:
    root = _settled_maildir(tmp_path, 2)
    box = tmp_path / "inbox.mbox"
    box.write_bytes(mbox_bytes([message(i) for i in range(3)]))
    home = tmp_path / "home"
    onward(home, "scan", str(root))
    onward(home, "scan", str(box))
    assert onward(home, "scan", str(root), "--json")[1] == "QUICK"
    assert onward(home, "scan", str(box), "--json")[1] == "QUICK"
    with open(box, "ab") as f:
        f.write(mbox_bytes([message(9)]))
    assert json.loads(onward(home, "scan", str(box), "--json")[0])["new"] == 1
    assert onward(home, "scan", str(root), "--json")[1] == "QUICK"


def test_an_imap_account_with_nothing_new_is_answered_quickly_and_new_mail_goes_the_full_way(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [message(i) for i in range(3)])
    dovecot.seed(user, [message(50)], folder="Jobs")
    home = tmp_path / "home"
    asked = tmp_path / "asked"  # one line each time the password command runs
    added = run(
        "account", "add", "work", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user,
        "--starttls", "--ca-file", dovecot.cafile,
        "--password-command", f"echo >> {asked}; echo {PASSWORD}",
        "--folder", "INBOX", "--folder", "Jobs", home=home,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    first, way = onward(home, "scan", "--json")
    assert json.loads(first)["new"] == 4 and way == "FULL"
    for args in (["work", "--json"], ["--json"], ["work"]):
        (home / "last-scan.json").rename(home / "kept.json")
        full, way = onward(home, "scan", *args)
        assert way == "FULL"
        (home / "kept.json").unlink()
        quick, way = onward(home, "scan", *args)
        assert (way, quick) == ("QUICK", full)

    dovecot.seed(user, [message(7)], folder="Jobs")  # new mail in the second folder
    before = asked.read_text().count("\n")
    again, way = onward(home, "scan", "--json")
    assert json.loads(again)["new"] == 1 and way == "FULL"
    # The quick check's login and the scan's: the password command is asked once.
    assert asked.read_text().count("\n") == before + 1
    assert onward(home, "scan", "--json")[1] == "QUICK"

    client = dovecot.client(user)  # flags change (mail read elsewhere): nothing new to scan
    client.select_folder("INBOX")
    client.add_flags([1, 2], [b"\\Seen"])
    client.logout()
    quiet, way = onward(home, "scan", "--json")
    assert json.loads(quiet)["scanned"] == 0 and way == "QUICK"

    dovecot.stop()  # a server that cannot be reached is the full command's to report
    try:
        _, way = onward(home, "scan", "--json", status=1)
        assert way == "FULL"
    finally:
        dovecot.start()  # the other tests' server


def test_ctrl_c_while_a_silent_server_is_asked_says_what_the_full_command_would(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [message(i) for i in range(2)])
    home = tmp_path / "home"
    added = run(
        "account", "add", "work", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user,
        "--starttls", "--ca-file", dovecot.cafile, "--password-command", f"echo {PASSWORD}",
        home=home,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert onward(home, "scan", "work", "--json")[1] == "FULL"
    assert dovecot.proc is not None
    os.killpg(dovecot.proc.pid, signal.SIGSTOP)  # the server stops answering
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUN, "scan", "work", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "ONWARD_HOME": str(home), "PYTHONPATH": SRC},
            stdin=subprocess.DEVNULL,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        time.sleep(1.5)  # waiting for the server's greeting, well within the quick timeout
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        os.killpg(dovecot.proc.pid, signal.SIGCONT)
    assert proc.returncode == 130 and out == ""
    assert err.strip().splitlines() == [
        "Stopped: 0 messages scanned and saved; run `onward scan work` again to continue.",
        "QUICK",
    ]
