"""The protocol every mail source speaks, and the items a scan yields."""

from __future__ import annotations

import os
import stat
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from onward.errors import MailError
from onward.mail.model import RawMessage
from onward.mail.prefix import bounded, prefix_complete


class SourceError(MailError):
    """A source failed in a way the person should hear about in one sentence."""


class LoginRefused(SourceError):
    """The server refused the account's password or token: trying again will not help until
    its owner gives a new one."""


class MissingFolder(SourceError):
    """A folder the account asks for is not there; the others are read all the same."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Everything before this item is stored; persist `state` for the next scan of `folder`."""

    folder: str
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FolderReset:
    """The folder's identity changed (new UIDVALIDITY, rewritten mbox): old locations are stale."""

    folder: str


@dataclass(frozen=True, slots=True)
class Expect:
    """How much the scan is about to read, for the progress bar."""

    count: int
    unit: str = "messages"  # or "bytes", advanced by each message's size


ScanItem = RawMessage | Checkpoint | FolderReset | Expect
KnownKeys = Callable[[str], set[str]]


class MailSource(Protocol):
    name: str
    kind: str

    def folders(self, wanted: list[str] | None = None) -> list[str]: ...

    def scan(self, folder: str, state: dict[str, Any], known: KnownKeys) -> Iterator[ScanItem]: ...

    def close(self) -> None: ...


@runtime_checkable
class KnowsWhatIsNew(Protocol):
    """A source that can tell cheaply (from its own files, or a server from one SELECT) that a
    scan from `state` (the checkpoint its last scan of `folder` saved) would find nothing new
    and store no other checkpoint: `onward scan` then answers without starting its database or
    its classifier (`cli/quick.py`). Its `scan` uses the same test (a server's, a looser one
    that this one implies), so the two never disagree."""

    def is_current(self, folder: str, state: dict[str, Any]) -> bool: ...


class NotAFile(OSError):
    """A FIFO, socket or device where a message file should be: reading it could block forever."""


def is_regular(path: Path | str) -> bool:
    return Path(path).is_file()  # stat and S_ISREG, without opening: FIFOs and devices fail


# The first read: a typical message's header block and 16 KB of body (most of the Maildir
# messages measured here are read whole in it); more is read only when the prefix needs it.
FIRST_READ = 32 * 1024
_READ_ONLY = os.O_RDONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
# Non-blocking: a FIFO swapped in for the file between the stat and the open must not make
# the open wait for a writer (it is refused by the fstat after it).
_NO_WAIT = _READ_ONLY | getattr(os, "O_NONBLOCK", 0)


def open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    """A read-only descriptor on the regular file at `path`, and its stat; NotAFile for
    anything else. The caller closes the descriptor."""
    # Stat first: a FIFO, socket or device is never opened (opening a tape rewinds it).
    if not stat.S_ISREG(os.stat(path).st_mode):  # noqa: PTH116 (a Path per message costs more)
        raise NotAFile(f"{path} is not a regular file")
    try:
        fd = os.open(path, _NO_WAIT)
    except BlockingIOError:
        # A file another program holds a lease on (Samba, an NFS server) refuses a
        # non-blocking open; a blocking one waits until the lease is given up.
        fd = os.open(path, _READ_ONLY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile(f"{path} is not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_prefix(path: Path | str) -> tuple[bytes, int]:
    """What `bounded` keeps of the message in the file, and the file's size; never the whole
    50 MB attachment. Read with os-level calls: the buffered file object and the seeks were a
    third of a small message's reading time."""
    fd, st = open_regular(path)
    try:
        return _read_prefix_from(fd), st.st_size
    finally:
        os.close(fd)


def _read_prefix_from(fd: int) -> bytes:
    data = os.read(fd, FIRST_READ)
    while not prefix_complete(data):
        more = os.read(fd, 64 * 1024)
        if not more:
            break
        data += more
    return bounded(data)


# Not on macOS or Windows (looked up by name: typeshed has no posix_fadvise there, so a
# plain reference fails mypy on a Mac).
_ADVISE: Callable[[int, int, int, int], None] | None = getattr(os, "posix_fadvise", None)
_WILL_NEED: int | None = getattr(os, "POSIX_FADV_WILLNEED", None)
# Files opened ahead of the one being read where many scans may share one process (a fleet
# worker's threads): far from the descriptor limit. A parsing process, which reads one chunk
# at a time, opens its whole chunk ahead: more requests at once, which the disk serves faster
# (a cold 50,000-message Maildir: 11.8 s, against 12.9-14.0 s with 32 ahead and 13.6-14.1 s
# with 8; cat 6.8 s).
READ_AHEAD = 32


def _budget() -> threading.BoundedSemaphore:
    """The descriptors all the scans of this process may hold ahead together: a quarter of its
    limit, the rest left for its sockets, its database and the files read one at a time. A
    fleet worker's threads each scan with a window of their own; without a budget the windows
    took every descriptor, and a message file that then could not be opened stopped the scan."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):  # no resource module on Windows
        soft = 256
    if soft < 0:  # RLIM_INFINITY
        soft = 1 << 16
    return threading.BoundedSemaphore(max(1, soft // 4))


_HELD_AHEAD = _budget()
_NOT_OPENED = -1  # a file next in line that the budget left unopened: read as read_prefix reads


class ReadAhead:
    """The prefixes of many files (`read_prefix`), read in the order listed, with up to
    `ahead` of the next files already opened and the kernel asked to start reading them
    (posix_fadvise WILLNEED). From a cold cache the files then arrive side by side while the
    ones before them are parsed, instead of one wait after another: a cold scan of a
    50,000-message Maildir took 11.8 s instead of 16.5-18.3 s (cat: 6.8-7.7 s).

    Each file is opened once, and read through that descriptor: opening it again would be one
    more round trip on a network filesystem, and on FUSE would drop the pages read ahead.
    What is not a regular file is never opened (`open_regular`); a file that could not be
    opened ahead is read as `read_prefix` reads it, which says what is wrong. Every descriptor
    is closed on leaving the `with` block, whatever stopped the reading. The scans of one
    process together hold at most `_HELD_AHEAD` open ahead."""

    def __init__(self, paths: Iterable[Path | str], ahead: int = READ_AHEAD) -> None:
        self._todo = iter(paths)
        # Without the advice, opening early would only hold descriptors longer.
        self._ahead = ahead if _ADVISE is not None and _WILL_NEED is not None else 0
        self._open: deque[tuple[str, int, int]] = deque()  # path, descriptor, size

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_exc: object) -> None:
        while self._open:
            _close(self._open.popleft()[1])

    def prefix(self, path: Path | str) -> tuple[bytes, int]:
        """`read_prefix(path)`, from the descriptor opened ahead when it is the next one."""
        self._fill()
        if self._open and self._open[0][0] == os.fspath(path):
            _, fd, size = self._open.popleft()
            if fd == _NOT_OPENED:
                self._fill()
                return read_prefix(path)
            try:
                self._fill()  # the next `ahead` files are on their way while this one is read
                return _read_prefix_from(fd), size
            finally:
                _close(fd)
        return read_prefix(path)  # could not be opened ahead, or asked out of order

    def _fill(self) -> None:
        while len(self._open) < self._ahead:
            path = next(self._todo, None)
            if path is None:
                return
            if not _HELD_AHEAD.acquire(blocking=False):
                # Kept in line, unopened: it stays in its place, whatever is asked next.
                self._open.append((os.fspath(path), _NOT_OPENED, 0))
                continue
            try:
                fd, st = open_regular(path)
            except OSError:
                _HELD_AHEAD.release()
                continue  # read_prefix will say why
            self._open.append((os.fspath(path), fd, st.st_size))
            with suppress(OSError):  # advice only
                if _ADVISE is not None and _WILL_NEED is not None:  # (always so when here)
                    _ADVISE(fd, 0, FIRST_READ, _WILL_NEED)


def _close(fd: int) -> None:
    """Close a descriptor `ReadAhead` opened, and give its place in the budget back."""
    if fd == _NOT_OPENED:
        return
    try:
        os.close(fd)
    finally:
        _HELD_AHEAD.release()


# A directory changed this close to the moment it is listed may change again within the same
# timestamp tick (2 s on FAT, 1 s on HFS+ and some NFS servers, a few ms on ext4) and keep the
# mtime it had when listed: a message added then would never be seen. Such a directory is not
# trusted, and the next scan lists it again (notmuch does the same, "mtime granularity").
SETTLE_NS = 2_000_000_000
Stamp = list[int]  # [inode, mtime in ns]: JSON-friendly, as folder states are stored


def dir_stamp(path: Path | str, listed_at_ns: int) -> Stamp | None:
    """The stamp of a directory about to be listed, or None when it cannot be trusted."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    if st.st_mtime_ns > listed_at_ns - SETTLE_NS:
        return None
    return [st.st_ino, st.st_mtime_ns]


def unchanged(stored: object, dirs: Mapping[str, Path]) -> bool:
    """Whether every directory still has the stamp stored when it was last listed: then no
    entry was added, removed or renamed in any of them, and a rescan has nothing to read."""
    if not isinstance(stored, dict) or not dirs or set(stored) != set(dirs):
        return False
    for name, path in dirs.items():
        try:
            st = Path(path).stat()
        except OSError:
            return False
        if stored[name] != [st.st_ino, st.st_mtime_ns]:
            return False
    return True
