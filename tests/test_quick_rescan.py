"""`onward scan` with nothing new is answered before the command line is built (`cli/quick.py`),
and only when the full command would give the same answer.

Each command runs in its own interpreter, which says at exit whether it built the command line
(and whether it loaded SQLAlchemy: the quick answer must not)."""

from __future__ import annotations

import json
import mailbox
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.factory import mbox_bytes, message

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
    # Delivered an hour ago: a directory changed within the last 2 s is never trusted.
    then = time.time_ns() - 3600 * 1_000_000_000
    for d in ("cur", "new", ".Jobs/cur", ".Jobs/new"):
        os.utime(root / d, ns=(then, then))
    return root


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
