"""A rescan with nothing new costs a few stats: no directory listed, no message file opened.

What the scan reads is watched with a Python audit hook (the `open` and `os.scandir` events
the interpreter raises itself), on real Maildirs and .eml folders in a real SQLite store.
"""

from __future__ import annotations

import mailbox
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from onward.mail.sources import Expect, open_path_source
from onward.scan import Scanner
from onward.store import Store
from tests.factory import message

_SEEN: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _SEEN is not None and event in ("open", "os.scandir", "os.listdir") and args:
        _SEEN.append((event, str(args[0])))


sys.addaudithook(_audit)


@contextmanager
def reads_under(root: Path) -> Iterator[list[tuple[str, str]]]:
    """The files opened and directories listed under `root` while the block runs."""
    global _SEEN
    seen: list[tuple[str, str]] = []
    _SEEN = seen
    try:
        yield seen
    finally:
        _SEEN = None
    seen[:] = [(e, p) for e, p in seen if p.startswith(str(root) + os.sep)]


def _age(*dirs: Path, seconds: int = 3600) -> None:
    """Mail delivered an hour ago: the directories' mtimes are long settled."""
    then = time.time_ns() - seconds * 1_000_000_000
    for d in dirs:
        os.utime(d, ns=(then, then))


def _scan(store: Store, root: Path) -> tuple[int, int]:
    summary = Scanner(store).run(open_path_source(root))
    return summary.scanned, summary.new


def _maildir(tmp_path: Path, n: int) -> tuple[mailbox.Maildir, Path]:
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(n):
        md.add(message(i))
    jobs = md.add_folder("Jobs")
    jobs.add(message(100))
    root = tmp_path / "Mail"
    _age(root / "cur", root / "new", root / ".Jobs" / "cur", root / ".Jobs" / "new")
    return md, root


def test_a_maildir_rescan_with_nothing_new_lists_no_directory_and_opens_no_message(
    tmp_path: Path,
) -> None:
    _, root = _maildir(tmp_path, 20)
    store = Store.for_path(tmp_path / "o.db")
    assert _scan(store, root) == (21, 21)
    with reads_under(root) as seen:
        assert _scan(store, root) == (0, 0)
    assert seen == []


def test_a_message_delivered_after_a_settled_scan_is_found(tmp_path: Path) -> None:
    md, root = _maildir(tmp_path, 5)
    store = Store.for_path(tmp_path / "o.db")
    assert _scan(store, root) == (6, 6)
    md.add(message(50))  # new/ changes now
    assert _scan(store, root) == (1, 1)
    # A mail client reads it: moved to cur/ with flags, the same message.
    new = next((root / "new").iterdir())
    new.rename(root / "cur" / (new.name + ":2,S"))
    assert _scan(store, root) == (0, 0)
    md.get_folder("Jobs").add(message(51))
    assert _scan(store, root) == (1, 1)


def test_a_message_delivered_in_the_same_tick_as_the_listing_is_found(tmp_path: Path) -> None:
    """The mtime granularity trap: a file added in the same timestamp tick as the listing
    leaves the directory's mtime as the scan saw it (1-2 s ticks on FAT, HFS+, NFS)."""
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    root = tmp_path / "Mail"
    md.add(message(1))
    store = Store.for_path(tmp_path / "o.db")
    assert _scan(store, root) == (1, 1)
    seen_by_scan = (root / "new").stat()
    md.add(message(2))
    os.utime(root / "new", ns=(seen_by_scan.st_atime_ns, seen_by_scan.st_mtime_ns))
    assert _scan(store, root) == (1, 1)


def _eml_tree(tmp_path: Path) -> Path:
    root = tmp_path / "exports"
    (root / "2026" / "jan").mkdir(parents=True)
    (root / "a.eml").write_bytes(message(1))
    (root / "2026" / "b.eml").write_bytes(message(2))
    (root / "2026" / "jan" / "c.EML").write_bytes(message(3))
    (root / "notes.txt").write_text("not mail")
    _age(root, root / "2026", root / "2026" / "jan")
    return root


def test_an_eml_folder_rescan_with_nothing_new_lists_nothing_and_opens_nothing(
    tmp_path: Path,
) -> None:
    root = _eml_tree(tmp_path)
    store = Store.for_path(tmp_path / "o.db")
    assert _scan(store, root) == (3, 3)
    with reads_under(root) as seen:
        assert _scan(store, root) == (0, 0)
    assert seen == []
    (root / "2026" / "jan" / "d.eml").write_bytes(message(4))  # deep in the tree
    assert _scan(store, root) == (1, 1)
    (root / "2026" / "feb").mkdir()
    (root / "2026" / "feb" / "e.eml").write_bytes(message(5))
    assert _scan(store, root) == (1, 1)


def test_an_eml_file_added_in_the_same_tick_as_the_listing_is_found(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.eml").write_bytes(message(1))
    store = Store.for_path(tmp_path / "o.db")
    assert _scan(store, root) == (1, 1)
    seen_by_scan = (root / "sub").stat()
    (root / "sub" / "b.eml").write_bytes(message(2))
    os.utime(root / "sub", ns=(seen_by_scan.st_atime_ns, seen_by_scan.st_mtime_ns))
    assert _scan(store, root) == (1, 1)


def test_an_mbox_rescan_with_nothing_new_reads_nothing(tmp_path: Path) -> None:
    from tests.factory import mbox_bytes

    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_bytes([message(i) for i in range(10)]))
    store = Store.for_path(tmp_path / "o.db")
    assert _scan(store, path) == (10, 10)
    source = open_path_source(path)
    items = list(source.scan("", store.folder_state(source.name, ""), lambda _f: set()))
    assert [type(i).__name__ for i in items] == ["Checkpoint"]


class _MarkedReadDuringTheScan:
    """The real Maildir source, while a mail client marks every message read right after the
    listing (it renames new/x to cur/x:2,S)."""

    def __init__(self, root: Path) -> None:
        self.inner = open_path_source(root)
        self.root = root

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def scan(self, folder: str, state: dict[str, Any], known: Any) -> Iterator[Any]:
        for item in self.inner.scan(folder, state, known):
            yield item
            if isinstance(item, Expect):
                for sub in ("new", "cur"):
                    for f in list((self.root / sub).iterdir()):
                        if ":2," not in f.name:
                            f.rename(self.root / "cur" / (f.name + ":2,S"))


def test_a_maildir_message_renamed_by_a_mail_client_during_a_scan_is_read_under_its_new_name(
    tmp_path: Path,
) -> None:
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(3):
        md.add(message(i, subject=f"Application {i} received"))
    root = tmp_path / "Mail"
    store = Store.for_path(tmp_path / "o.db")
    summary = Scanner(store).run(_MarkedReadDuringTheScan(root))  # type: ignore[arg-type]
    assert (summary.scanned, summary.errors) == (3, 0)
    with sqlite3.connect(tmp_path / "o.db") as db:
        subjects = sorted(s for (s,) in db.execute("select subject from emails"))
    assert subjects == [f"Application {i} received" for i in range(3)]
