"""The scan pipeline: source → parse (worker processes) → store, in order, in batches.

Parsing is CPU-bound and parallel; writing is done by this process alone, in the
order the source produced messages, so a checkpoint is saved only once everything
before it is stored. A crash or a dropped connection loses at most one batch of work,
never data, and the next scan carries on from the last checkpoint.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from onward.mail.model import Email, RawMessage
from onward.mail.parse import parse_message
from onward.mail.sources import (
    Checkpoint,
    Expect,
    FolderReset,
    MailSource,
    MissingFolder,
    SourceError,
)
from onward.mail.sources.base import READ_AHEAD, ReadAhead, read_prefix
from onward.mail.sources.maildir import renamed
from onward.mail.sources.mbox import read_message
from onward.progress import NoProgress, Progress

if TYPE_CHECKING:
    from onward.classify.model import Classifier
    from onward.store import Store

# Messages per task and per transaction. Each chunk in flight is held twice or three times
# (its bytes, their pickled copy, the parsed mail), by up to 5 chunks at once: at 250 the
# chunks were a third of a scan's memory; 125 costs about 3% more CPU.
CHUNK = 125
SHOWN_REFUSED = 5  # messages the database refused that a scan names one by one


@dataclass
class ScanSummary:
    scanned: int = 0
    new: int = 0
    skipped: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)
    exceptions: list[BaseException] = field(default_factory=list)  # for --debug only
    folders_failed: int = 0
    folders: int = 0
    refused: int = 0  # messages the database refused, skipped (counted in `errors` too)
    kinds: dict[str, int] = field(default_factory=dict)
    expected: int = 0  # messages the sources announced (not bytes), for "120 of 400"

    def as_dict(self) -> dict[str, int]:
        return {
            "scanned": self.scanned,
            "new": self.new,
            "skipped": self.skipped,
            "errors": self.errors,
        }

    @property
    def failed(self) -> bool:
        return self.folders > 0 and self.folders_failed == self.folders

    def add(self, other: ScanSummary) -> None:
        """Fold one target's counts into a total over several."""
        for k in ("scanned", "new", "skipped", "errors", "folders"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for kind, n in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n


@dataclass
class Linked:
    """What linking new mail after a scan did: emails linked, applications opened, emails left
    for review, and answers to the person's follow-ups."""

    linked: int
    opened: int
    review: int
    answers: int


def classifier_loader(store: Store) -> Callable[[], Classifier]:
    """The classifier, loaded on first use and then shared by every target of one scan: a scan
    that finds no new mail never pays for loading the model."""
    loaded: list[Classifier] = []

    def load() -> Classifier:
        if not loaded:
            from onward.classify.service import classifier_for

            loaded.append(classifier_for(store))
        return loaded[0]

    return load


def link_new_mail(store: Store) -> Linked:
    """After a scan: attach new job mail to applications and notice answers to follow-ups."""
    from onward.actions.followup import link_answers
    from onward.tracker.repo import Tracker

    done = Tracker(store).link_pending()
    return Linked(done["linked"], done["opened"], done["review"], link_answers(store))


def load(raw: RawMessage, files: ReadAhead | None = None) -> RawMessage:
    """The message with its bytes: file sources leave reading to the parse stage. `files`:
    where a chunk's message files are read ahead (see `to_read`)."""
    if raw.data or not raw.path:
        return raw
    if raw.span:
        return replace(raw, data=read_message(raw.path, raw.span), path="", span=())
    try:
        data, size = files.prefix(raw.path) if files is not None else read_prefix(raw.path)
    except OSError as exc:
        _unless_out_of_descriptors(exc)
        # A mail client renames a Maildir file when its flags change: read it under its new
        # name, or the message would be stored empty and, being known, never read again.
        moved = renamed(raw.path)
        try:
            data, size = read_prefix(moved) if moved else (b"", 0)
        except OSError as again:
            _unless_out_of_descriptors(again)
            data, size = b"", 0  # deleted since it was listed
    return replace(raw, data=data, size=size, path="")


_NO_DESCRIPTOR = (errno.EMFILE, errno.ENFILE)


def _unless_out_of_descriptors(exc: OSError) -> None:
    """Stop the scan when the process or the system has no descriptor left: that says nothing
    about the message, which stored empty would never be read again. (A fleet worker's threads
    each hold a chunk's files open ahead, `ReadAhead`.) The next scan reads it."""
    if exc.errno in _NO_DESCRIPTOR:
        raise SourceError(
            "Could not open a message file: no file descriptor is left (raise the limit, "
            "`ulimit -n`, or run fewer scans at once)."
        ) from exc


# The classifier `parse_chunk` uses: set by `_init_worker` in each parsing process, and per
# thread, since a sync worker runs several scans at once on threads, each for its own person
# (with their own corrections) and each loading its classifier only when mail comes.
_LOCAL = threading.local()


def _init_worker(classifier: Any) -> None:
    _LOCAL.classifier = classifier


@contextmanager
def ctrl_c_after() -> Iterator[None]:
    """Hold a Ctrl-C until the block is done, then raise it. A KeyboardInterrupt landing
    inside a database write can leave a pooled connection holding SQLite's write lock, and the
    write of the batches already parsed, which follows the Ctrl-C, then finds the database
    locked. Only the main thread receives signals (a watch scans on others)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before if before is not None else signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
        ).split()
    ]


def _glibc() -> tuple[Callable[[int], object], Callable[[], int | None]]:
    """glibc's malloc_trim, and the bytes its heaps hand out now (mallinfo2, glibc 2.33+;
    None where it is not known)."""
    nothing: tuple[Callable[[int], object], Callable[[], int | None]] = (
        lambda _pad: None,
        lambda: None,
    )
    if not sys.platform.startswith("linux"):  # CDLL(None) raises TypeError on Windows
        return nothing
    try:
        libc = ctypes.CDLL(None)
        trim: Callable[[int], object] = libc.malloc_trim
    except (AttributeError, OSError, TypeError):  # not glibc (musl)
        return nothing
    info = getattr(libc, "mallinfo2", None)
    if info is None:
        return trim, lambda: None
    info.restype = _MallInfo2
    return trim, lambda: int(info().uordblks)


_MALLOC_TRIM, _IN_USE = _glibc()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident() -> int:
    """This process's resident memory in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


# Memory a process keeps for its next chunk. Trimming after every chunk made the next one fault
# its pages in again: 0.8 s of the workers' system time in a 50,000-message scan, for 5 MB less
# peak memory. A chunk of big messages (1 MB header blocks) still hands back what it took.
KEEP_GROWTH = 8 * 1024 * 1024
# After this process's last trim: its resident bytes, and the bytes malloc handed out.
_TRIMMED_AT = [0, 0]


def release_memory(always: bool = False) -> None:
    """Give freed memory back to the system once there is enough of it: the process grew by
    KEEP_GROWTH since its last trim, or what it uses fell by as much (memory in use when it
    last trimmed, another chunk's, freed since). glibc keeps what a chunk used (its bytes, the
    classifier's arrays) for reuse, so each process would otherwise stay at its busiest
    moment's size. Where mallinfo2 is not known, and with `always`, it trims."""
    used = _IN_USE()
    if not always and used is not None:
        grown = _resident() > _TRIMMED_AT[0] + KEEP_GROWTH
        if not grown and used > _TRIMMED_AT[1] - KEEP_GROWTH:
            return
    _MALLOC_TRIM(0)
    _TRIMMED_AT[:] = [_resident(), _IN_USE() or 0]


def _start_worker(classifier: Any) -> None:
    # Ctrl-C reaches the whole process group: the scan decides what to keep, so a worker
    # carries on with its chunk instead of dying with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _TRIMMED_AT[:] = [_resident(), _IN_USE() or 0]  # the fork's start: what it shares
    _init_worker(classifier)


def to_read(raws: Sequence[RawMessage], ahead: int = READ_AHEAD) -> ReadAhead:
    """The message files among `raws` (Maildir, .eml), to be read ahead in order."""
    files = (raw.path for raw in raws if raw.path and not raw.data and not raw.span)
    return ReadAhead(files, ahead)


def parse_chunk(
    raws: Sequence[RawMessage], ahead: int = READ_AHEAD
) -> list[tuple[Email, int, Any]]:
    emails, sizes = [], []
    with to_read(raws, ahead) as files:
        for raw in raws:
            raw = load(raw, files)
            emails.append(parse_message(raw.data, raw.labels))
            sizes.append(raw.size)
    # One batch per chunk: the classifier's numpy work is per batch, not per message.
    classifier = getattr(_LOCAL, "classifier", None)
    verdicts = classifier.classify_many(emails) if classifier is not None else [None] * len(emails)
    return list(zip(emails, sizes, verdicts, strict=True))


def _parse_in_worker(raws: Sequence[RawMessage]) -> list[tuple[Email, int, Any]]:
    # Before the chunk, not after it: by now the last one's results have been sent back.
    release_memory()
    return parse_chunk(raws, ahead=len(raws))  # one chunk at a time, in a process of its own


@dataclass
class _Chunk:
    raws: list[RawMessage]
    checkpoints: list[tuple[str, dict[str, Any]]]
    result: Future[list[tuple[Email, int, Any]]] | list[tuple[Email, int, Any]]


class _InlineExecutor:
    """Parse in this process: for small or network scans a pool costs more than it saves."""

    def submit(self, raws: list[RawMessage]) -> list[tuple[Email, int, Any]]:
        return parse_chunk(raws)

    def shutdown(self) -> None:
        pass


def _ahead(pool: Executor | _InlineExecutor) -> int:
    """Chunks the workers may parse ahead of the database writes."""
    return 0 if isinstance(pool, _InlineExecutor) else 4


def _workers(expected: int, unit: str) -> int:
    enough = expected > 2000 if unit == "messages" else expected > 20_000_000
    return min(os.cpu_count() or 1, 4) if enough else 1


def _pool(n: int, classifier: Any) -> ProcessPoolExecutor:
    """Worker processes forked from this one, sharing its pages (the model's weights, the
    modules) for as long as nobody writes to them. The collector writes to every object it
    visits, which would give each worker a private copy of the interpreter: what exists now is
    frozen out of its reach until the pool is shut down."""
    gc.freeze()
    # Fork by name: Python 3.14 starts workers from a fork server on Linux, where each would
    # get a private copy of the model. macOS keeps its default (spawn): fork is unsafe there.
    context = get_context("fork") if sys.platform.startswith("linux") else None
    try:
        pool = ProcessPoolExecutor(
            n, mp_context=context, initializer=_start_worker, initargs=(classifier,)
        )
        # The workers are forked now, before a source starts a thread of its own (IMAP fetches
        # ahead on one): a fork copies another thread's locks in whatever state they are.
        pool.submit(int)
        return pool
    except BaseException:
        gc.unfreeze()  # no pool to shut down, so the scan's `finally` would not
        raise


class Scanner:
    def __init__(
        self,
        store: Store,
        progress: Progress | None = None,
        workers: int | None = None,
        classifier: Any = None,
        load_classifier: Callable[[], Any] | None = None,
    ) -> None:
        self.store = store
        self.progress = progress or NoProgress()
        self.workers = workers
        self.classifier = classifier
        # Loaded when a message is to be classified: a rescan with nothing new never pays for
        # the model (numpy and its weights, most of the command's start-up).
        self.load_classifier = load_classifier
        # What is stored so far, readable after a Ctrl-C stops `run` midway.
        self.summary = ScanSummary()

    def run(self, source: MailSource, wanted: list[str] | None = None) -> ScanSummary:
        summary = self.summary = ScanSummary()
        try:
            folders = source.folders(wanted)
        except SourceError as exc:
            summary.problems.append(str(exc))
            summary.exceptions.append(exc)
            summary.folders = summary.folders_failed = 1
            source.close()
            return summary
        try:
            for folder in folders:
                summary.folders += 1
                before = summary.scanned
                try:
                    self._scan_folder(source, folder, summary)
                except SourceError as exc:
                    summary.folders_failed += 1
                    summary.exceptions.append(exc)
                    if isinstance(exc, MissingFolder):
                        summary.errors += 1
                    done = summary.scanned - before
                    where = f" in {folder}" if folder else ""
                    summary.problems.append(
                        f"{exc} Stopped after {done} messages{where}; the next scan carries on."
                        if done
                        else str(exc)
                    )
        finally:
            source.close()
        if summary.refused > SHOWN_REFUSED:
            more = summary.refused - SHOWN_REFUSED
            were = "message was" if more == 1 else "messages were"
            summary.problems.append(f"{more} more {were} skipped the same way.")
        return summary

    def _scan_folder(self, source: MailSource, folder: str, summary: ScanSummary) -> None:
        state = self.store.folder_state(source.name, folder)
        saved = state
        items = source.scan(folder, state, lambda f: self.store.known_keys(source.name, f))
        _init_worker(self.classifier)
        pool: Executor | _InlineExecutor = _InlineExecutor()
        pending: deque[_Chunk] = deque()
        current = _Chunk([], [], [])
        try:
            for item in items:
                if isinstance(item, Expect):
                    if item.count:
                        self._classifier_needed()
                    self.progress.start(item.count, item.unit)
                    if item.unit == "messages":
                        summary.expected += item.count
                    n = self.workers or _workers(item.count, item.unit)
                    if n > 1 and isinstance(pool, _InlineExecutor):
                        pool = _pool(n, self.classifier)
                elif isinstance(item, FolderReset):
                    self._drain(pending, source.name, summary, 0)
                    self.store.reset_folder(source.name, item.folder)
                elif isinstance(item, Checkpoint):
                    if (
                        item.state == saved
                        and item.folder == folder
                        and not (current.raws or pending)
                    ):
                        # What the database holds already: a rescan that finds nothing new
                        # writes nothing (a fleet worker does this for most accounts).
                        continue
                    saved = item.state
                    current.checkpoints.append((item.folder, item.state))
                    current = self._submit(pool, current, pending)
                    self._drain(pending, source.name, summary, _ahead(pool))
                else:
                    if self.classifier is None:
                        self._classifier_needed()
                    current.raws.append(item)
                    if len(current.raws) >= CHUNK:
                        current = self._submit(pool, current, pending)
                        self._drain(pending, source.name, summary, _ahead(pool))
        finally:
            # Whatever stopped the source, what it already handed over is stored.
            try:
                self._submit(pool, current, pending)
                self._drain(pending, source.name, summary, 0)
            finally:
                pool.shutdown()
                if not isinstance(pool, _InlineExecutor):
                    gc.unfreeze()
                # A watch or a fleet worker lives on: what this scan freed goes back (a check
                # of a few microseconds when it freed little, as for most accounts' rescans).
                release_memory()

    def _classifier_needed(self) -> None:
        if self.classifier is None and self.load_classifier is not None:
            self.classifier = self.load_classifier()
            _init_worker(self.classifier)

    def _submit(
        self, pool: Executor | _InlineExecutor, chunk: _Chunk, pending: deque[_Chunk]
    ) -> _Chunk:
        """Queue `chunk` (once) and return the next one to fill."""
        # A Ctrl-C may come after the queueing and before the caller takes the new chunk.
        if (chunk.raws or chunk.checkpoints) and not any(c is chunk for c in pending):
            if isinstance(pool, _InlineExecutor):
                chunk.result = pool.submit(chunk.raws)
            else:
                chunk.result = pool.submit(_parse_in_worker, chunk.raws)
                # Storing needs only where each message is. (The pool holds its own reference
                # until the chunk is parsed; this frees the bytes of chunks parsed and waiting.)
                chunk.raws = [replace(raw, data=b"") if raw.data else raw for raw in chunk.raws]
            pending.append(chunk)
        return _Chunk([], [], [])

    def _drain(self, pending: deque[_Chunk], source: str, summary: ScanSummary, keep: int) -> None:
        while len(pending) > keep:
            # Taken off the queue only once stored: a Ctrl-C during the wait or the write
            # leaves it for the final drain, so no later checkpoint ever skips past it.
            chunk = pending[0]
            parsed = chunk.result if isinstance(chunk.result, list) else chunk.result.result()
            rows = [
                (raw, e, size or raw.size, verdict)
                for raw, (e, size, verdict) in zip(chunk.raws, parsed, strict=True)
            ]
            with ctrl_c_after():
                written = self.store.write_batch(source, rows, chunk.checkpoints)
            pending.popleft()
            refused = len(written.refused)
            summary.scanned += len(rows)
            summary.new += written.new
            summary.skipped += len(rows) - written.new - refused
            summary.errors += sum(1 for _, e, _, _ in rows if _broken(e)) + refused
            summary.problems += written.refused[: max(0, SHOWN_REFUSED - summary.refused)]
            summary.refused += refused
            for _, _, _, verdict in rows:
                if verdict is not None:
                    summary.kinds[verdict.kind] = summary.kinds.get(verdict.kind, 0) + 1
            self.progress.advance(len(rows), sum(size for _, _, size, _ in rows))
            del chunk, parsed, rows  # the chunk's mail, freed before the memory is trimmed
            release_memory()


def _broken(e: Email) -> bool:
    return not e.message_id and not e.subject and e.sender is None


def iter_parsed(source: MailSource) -> Iterator[tuple[RawMessage, Email]]:
    """Every message of a source, parsed, without storing anything (for `onward classify`)."""
    try:
        for folder in source.folders(None):
            for item in source.scan(folder, {}, lambda _f: set()):
                if isinstance(item, RawMessage):
                    item = load(item)
                    yield item, parse_message(item.data, item.labels)
    finally:
        source.close()
