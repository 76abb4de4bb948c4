"""Odd things in the places mail is read from: FIFOs, sockets, a From_ line of 50 MB."""

from __future__ import annotations

import json
import mailbox
import os
import socket
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from onward.mail.sources.mbox import split_mbox
from tests.factory import mbox_bytes, message
from tests.runner import run


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[socket.socket]:
    s = socket.socket(socket.AF_UNIX)
    yield s
    s.close()


def test_fifos_and_sockets_in_a_maildir_are_counted_unreadable_not_waited_on(
    tmp_path: Path, unix_socket: socket.socket
) -> None:
    md = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for i in range(3):
        md.add(message(i))
    os.mkfifo(tmp_path / "Maildir" / "cur" / "1700000000.fifo.host:2,S")
    os.mkfifo(tmp_path / "Maildir" / "new" / "1700000001.fifo.host")
    unix_socket.bind(str(tmp_path / "Maildir" / "cur" / "1700000002.sock.host:2,"))
    home = tmp_path / "home"
    done = run("scan", str(tmp_path / "Maildir"), "--json", home=home, timeout=60)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert (summary["scanned"], summary["errors"]) == (6, 3)
    listed = run("classify", "--jsonl", str(tmp_path / "Maildir"), home=home, timeout=60)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 6


def test_a_fifo_in_an_eml_folder_is_counted_and_a_fifo_given_by_name_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "emls"
    folder.mkdir()
    (folder / "a.eml").write_bytes(message(1))
    os.mkfifo(folder / "b.eml")
    home = tmp_path / "home"
    done = run("scan", str(folder), "--json", home=home, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["errors"] == 1
    assert run("classify", str(folder), home=home, timeout=60).returncode == 0
    for args in (("classify", str(folder / "b.eml")), ("scan", str(folder / "b.eml"))):
        refused = run(*args, home=home, timeout=60)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "is not a regular file or a folder" in refused.stderr.replace("\n", " ")


@pytest.mark.parametrize("where", ["in a body", "at the start"])
def test_a_50mb_from_line_is_read_in_bounded_time_and_memory(tmp_path: Path, where: str) -> None:
    path = tmp_path / "odd.mbox"
    line = b"From " + b"x" * 50_000_000 + b" 2026\n"
    with open(path, "wb") as f:
        if where == "at the start":
            f.write(line + message(0) + b"\n")
        f.write(mbox_bytes([message(1, body="Hello,\n\nsee below\n")]).rstrip(b"\n"))
        f.write(b"\n" + line + b"still the first message\n\n")
        f.write(mbox_bytes([message(2)]))
    tracemalloc.start()
    began = time.perf_counter()
    with open(path, "rb") as f:
        found = [(off, size) for off, _data, size in split_mbox(f)]
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(found) == (3 if where == "at the start" else 2)
    assert sum(size for _, size in found) == path.stat().st_size
    assert peak < 8_000_000, peak
    assert seconds < 5, seconds
