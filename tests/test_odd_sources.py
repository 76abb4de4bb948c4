"""Odd things in the places mail is read from: FIFOs, sockets, a From_ line of 50 MB."""

from __future__ import annotations

import ctypes
import json
import mailbox
import os
import socket
import struct
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from onward.mail.prefix import bounded
from onward.mail.sources.base import ReadAhead, read_prefix
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


_IN_OPEN = 0x20  # from <sys/inotify.h>


@contextmanager
def opens_seen(folder: Path) -> Iterator[Callable[[], list[str]]]:
    """The names of what was opened in `folder`, as the kernel's inotify reports them: no
    thread and no timing, so an open never goes unnoticed. (inotify merges an event that
    repeats the one before it: two opens of one file in a row count once.)"""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        pytest.skip(f"no inotify here: {os.strerror(ctypes.get_errno())}")
    try:
        if libc.inotify_add_watch(fd, os.fsencode(folder), _IN_OPEN) < 0:
            pytest.skip(f"cannot watch {folder}: {os.strerror(ctypes.get_errno())}")

        def seen() -> list[str]:
            names: list[str] = []
            try:
                data = os.read(fd, 64 * 1024)
            except BlockingIOError:
                return names
            while data:
                size = struct.unpack_from("iIII", data)[3]
                names.append(data[16 : 16 + size].rstrip(b"\0").decode() or ".")
                data = data[16 + size :]
            return names

        yield seen
    finally:
        os.close(fd)


def _descriptors() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify and /proc are Linux's")
def test_files_read_ahead_are_opened_once_each_never_a_fifo_and_only_a_few_at_a_time(
    tmp_path: Path,
) -> None:
    for name in "abcd":
        (tmp_path / name).write_bytes(message(ord(name)))
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "to-fifo").symlink_to("fifo")
    paths = [tmp_path / "a", tmp_path / "fifo", str(tmp_path / "b"), tmp_path / "to-fifo"]
    paths += [tmp_path / "missing", tmp_path / "c", tmp_path / "d"]
    before = _descriptors()
    read, most_open = {}, 0
    with opens_seen(tmp_path) as seen, ReadAhead(paths, ahead=2) as files:
        for path in paths:
            try:
                read[Path(path).name] = files.prefix(path)
            except OSError:
                pass  # the FIFOs and the missing file: as read_prefix refuses them
            most_open = max(most_open, _descriptors() - before)
        # Opened once (reading ahead, then reading through the same descriptor: on FUSE a
        # second open drops what was read ahead), in order; a FIFO never (a writer waiting
        # for a reader would go through, to die of SIGPIPE).
        assert seen() == ["a", "b", "c", "d"]
    assert read == {n: read_prefix(tmp_path / n) for n in "abcd"}
    assert most_open <= 2 + 1  # the window, and inotify's own descriptor
    assert _descriptors() == before


def test_reading_ahead_closes_what_it_opened_when_reading_stops_midway(tmp_path: Path) -> None:
    paths = [tmp_path / f"{i}.eml" for i in range(10)]
    for i, path in enumerate(paths):
        path.write_bytes(message(i))
    before = _descriptors()
    with pytest.raises(KeyboardInterrupt), ReadAhead(paths, ahead=4) as files:
        assert files.prefix(paths[0]) == read_prefix(paths[0])
        assert _descriptors() == before + 4
        raise KeyboardInterrupt
    assert _descriptors() == before


_WINDOWS = """
import os, resource, sys
from contextlib import ExitStack
resource.setrlimit(resource.RLIMIT_NOFILE, (128, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
from pathlib import Path
from onward.mail.sources.base import ReadAhead, read_prefix
paths = sorted(Path(sys.argv[1]).iterdir())
before = len(os.listdir("/proc/self/fd"))
with ExitStack() as stack:
    # Eight scans at once, as a fleet worker's threads run them, each with its files ahead.
    for _ in range(8):
        files = stack.enter_context(ReadAhead(paths[1:], ahead=32))
        assert files.prefix(paths[1]) == read_prefix(paths[1])
        assert files.prefix(paths[2]) == read_prefix(paths[2])
    print("held", len(os.listdir("/proc/self/fd")) - before - 1)  # the listing's own
    print("other", read_prefix(paths[0])[1])  # what else the process opens
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_scans_at_once_read_ahead_within_a_share_of_the_descriptor_limit(tmp_path: Path) -> None:
    """The windows of many scans in one process (a fleet worker's threads) together keep to a
    quarter of the descriptor limit: the rest is for its sockets, its database and the files a
    scan reads without reading ahead."""
    import onward

    for i in range(40):
        (tmp_path / f"{i:02}.eml").write_bytes(message(i))
    done = subprocess.run(
        [sys.executable, "-c", _WINDOWS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(onward.__file__).parent.parent)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split() for line in done.stdout.splitlines())
    assert int(lines["held"]) <= 128 // 4
    assert lines["other"] == str(len(message(0)))


_OUT_OF_DESCRIPTORS = """
import os, resource, sys
from onward.mail.model import RawMessage
from onward.mail.parse import parse_message
from onward.mail.sources.maildir import MaildirSource
from onward.scan import parse_chunk
from pathlib import Path
items = MaildirSource("m", Path(sys.argv[1])).scan("INBOX", {}, lambda _f: set())
raws = [item for item in items if isinstance(item, RawMessage)]
parse_chunk(raws[:1]), parse_message(b"", ())  # what parsing imports, while it still can
# Every descriptor left is taken: by the other syncs of a fleet worker's threads, say, each
# with its own files open ahead.
resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
held = []
try:
    while True:
        held.append(os.open(os.devnull, os.O_RDONLY))
except OSError:
    pass
try:
    parsed = parse_chunk(raws)
except Exception as exc:
    print("stopped:", type(exc).__name__, exc)
else:
    print("sizes:", sorted({size for _, size, _ in parsed}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_NOFILE")
def test_a_message_that_cannot_be_opened_for_want_of_a_descriptor_stops_the_scan(
    tmp_path: Path,
) -> None:
    """Out of descriptors says nothing about the message: stored empty, being known, it would
    never be read again. The scan stops instead, and the next one reads it."""
    import onward

    for sub in ("cur", "new", "tmp"):
        (tmp_path / sub).mkdir()
    for i in range(5):
        (tmp_path / "cur" / f"{i}.host:2,S").write_bytes(message(i))
    src = str(Path(onward.__file__).parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", _OUT_OF_DESCRIPTORS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": src},
        check=True,
    )
    assert done.stdout.startswith("stopped: SourceError"), done.stdout
    assert "file descriptor" in done.stdout


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


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
@pytest.mark.parametrize("head_kb", [1, 17, 31, 50, 70])
@pytest.mark.parametrize("body_kb", [0, 1, 15, 20, 100])
def test_a_file_source_hands_over_exactly_what_is_kept_of_the_whole_message(
    tmp_path: Path, eol: bytes, head_kb: int, body_kb: int
) -> None:
    """Read in pieces, a message still gives the whole header block and 16 KB of body, as
    `bounded` keeps of the whole file, however the pieces fall (a 50 KB header once left the
    body short)."""
    head = (
        b"Subject: hi"
        + eol
        + b"".join(b"X-Pad-%d: " % i + b"h" * 1000 + eol for i in range(head_kb))
    )
    body = b"".join(b"line %06d " % i + b"b" * 40 + eol for i in range(body_kb * 1024 // 52))
    raw = head + eol + body
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    assert read_prefix(path) == (bounded(raw), len(raw))


def test_a_message_without_an_empty_line_is_read_as_all_header(tmp_path: Path) -> None:
    raw = b"Subject: no body\nX-A: " + b"a" * 100_000 + b"\n"
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    data, size = read_prefix(path)
    assert (data, size) == (bounded(raw), len(raw))
    assert data.startswith(raw)


_LEASE_HOLDER = """
import fcntl, os, signal, sys, threading, time
fd = os.open(sys.argv[1], os.O_RDWR)
done = threading.Event()
def give_up():
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    done.set()
# Asked to give the lease up, as a file server is: after a network round trip.
signal.signal(signal.SIGIO, lambda *_: threading.Timer(0.2, give_up).start())
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print("leased", flush=True)
done.wait(30)
"""


@pytest.mark.skipif(not hasattr(os, "O_NONBLOCK"), reason="leases are a Linux feature")
def test_a_message_a_file_server_holds_a_lease_on_is_read_once_the_lease_is_given_up(
    tmp_path: Path,
) -> None:
    """Samba and NFS servers lease the files they share; a non-blocking open of a leased file
    fails at once, and the message would have been stored empty and never read again."""
    if Path("/proc/sys/fs/leases-enable").read_text().strip() != "1":
        pytest.skip("file leases are turned off on this machine (fs.leases-enable)")
    path = tmp_path / "1.host:2,S"
    raw = message(1)
    path.write_bytes(raw)
    holder = subprocess.Popen(
        [sys.executable, "-c", _LEASE_HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "leased"
        assert read_prefix(path) == (bounded(raw), len(raw))
    finally:
        holder.wait(30)
