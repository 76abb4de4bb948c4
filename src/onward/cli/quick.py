"""`onward scan` with nothing new, answered before the command line is built.

A rescan run by a script (cron, a status bar, a loop) mostly finds nothing, and the full command
spends half a second importing Typer, SQLAlchemy and the classifier to say so (`notmuch new`
answers in 0.02 s). When nothing can have changed, the answer comes from the standard library
and the mail sources alone. Nothing can have changed when the last complete scan left a stamp
(`record`) and:
- the command is exactly `onward scan [TARGET] [--json]`, and no check-in would be offered
  after it (one is offered only at a terminal, and never with --json);
- the database is the default SQLite file, and it and its write-ahead log are as the stamp
  recorded them: nothing was stored, corrected or linked since;
- every folder of every target is, by its own source's test (`KnowsWhatIsNew.is_current`, the
  test the source's `scan` uses), as that scan's checkpoint left it: for a file source from its
  files alone, for an IMAP account from one SELECT a folder (UIDVALIDITY, UIDNEXT and
  the mailbox all as checkpointed; flags changed in a mail client are not new mail).
Anything else goes the full way: a new folder, an option, any error. This path only ever
answers what the full command would. When a server has something new, its account pays one
login more than the full command alone would; its password command runs once, the secret handed
over in the process (`accounts.account_source(hand_over_secret=True)`).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onward.config import Config
    from onward.mail.sources import MailSource
    from onward.store import Store

STAMP = "last-scan.json"
# A server that does not answer within this is left to the full command (and its own timeout).
QUICK_TIMEOUT = 5.0
NOTHING = {"scanned": 0, "new": 0, "skipped": 0, "errors": 0}
INTERRUPTED = "Interrupted. Everything stored so far is kept; run the command again to carry on."


def scanned_line(counts: dict[str, int]) -> str:
    """The first line of a scan's summary, the same from this path and from the full one."""
    c = counts
    return (
        f"Scanned {c['scanned']:,} messages: {c['new']:,} new, "
        f"{c['skipped']:,} already known, {c['errors']:,} unreadable."
    )


def stopped_line(saved: int, of: int | None, target: str | None) -> str:
    """What a Ctrl-C during a scan says, from this path and from the full one: what was kept
    (`of`: the whole job's size, when known) and how to go on."""
    again = "onward scan" + (f" {shlex.quote(target)}" if target else "")
    whole = f" of {of:,}" if of else ""
    return f"Stopped: {saved:,}{whole} messages scanned and saved; run `{again}` again to continue."


def at_terminal(stream: IO[str] | None) -> bool:
    return stream is not None and stream.isatty()  # a closed stdin is None


def nothing_new(argv: list[str]) -> int | None:
    """The exit status of `onward scan ...` when it is answered here, else None."""
    try:
        answer = _decide(argv)
    except KeyboardInterrupt:
        # Most likely while a server answers: what the full command says when stopped there.
        target = (
            next((a for a in argv[1:] if a != "--json"), None) if argv[:1] == ["scan"] else None
        )
        print(stopped_line(0, None, target), file=sys.stderr)  # noqa: T201
        return 130
    except Exception:  # noqa: BLE001 (any doubt: the full command runs, and says what is wrong)
        return None
    if answer is None:
        return None
    try:
        print(answer, flush=True)  # noqa: T201 (as the full command prints it)
    except BrokenPipeError:  # `onward scan --json | head -c0`: leave quietly, as the full one does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def _decide(argv: list[str]) -> str | None:
    """What the full command would print, when it can be known here."""
    if not argv or argv[0] != "scan":
        return None
    as_json = "--json" in argv[1:]
    rest = [a for a in argv[1:] if a != "--json"]
    if len(rest) > 1 or any(a.startswith("-") for a in rest):
        return None  # an option (--folder, --debug, --help...) is the full command's to read
    if not as_json and at_terminal(sys.stdin) and at_terminal(sys.stdout):
        return None  # the full command may offer a check-in
    if os.environ.get("ONWARD_DB") or os.environ.get("ONWARD_PERSON"):
        return None
    from onward.config import Config

    config = Config.load()
    db = _default_database(config)
    if db is None:
        return None
    stamp = json.loads((config.paths.data_dir / STAMP).read_text(encoding="utf-8"))
    if stamp.get("code") != _code() or stamp.get("database") != database_stamp(db):
        return None
    target = rest[0] if rest else None
    targets = [target] if target else sorted(config.accounts)
    if not targets or not all(_current(config, t, stamp["sources"]) for t in targets):
        return None
    return json.dumps(NOTHING) if as_json else scanned_line(NOTHING)


def _code() -> list[str]:
    """The code that wrote a stamp: after an upgrade the full command runs (and migrates)."""
    from onward import SCHEMA, __version__

    return [__version__, SCHEMA]


def _current(config: Config, target: str, stamped: dict[str, Any]) -> bool:
    from onward import accounts
    from onward.mail.sources.base import KnowsWhatIsNew

    source, folders = accounts.source_for(
        config, target, at_most=QUICK_TIMEOUT, hand_over_secret=True
    )
    try:
        states = stamped.get(source.name)
        if not isinstance(source, KnowsWhatIsNew) or not isinstance(states, dict):
            return False  # a server: only it knows what is new
        return all(
            folder in states and source.is_current(folder, states[folder])
            for folder in source.folders(folders)
        )
    finally:
        source.close()


def _default_database(config: Config) -> Path | None:
    db = config.paths.database
    # Resolved: SQLite keeps its log beside the file a symlink points to.
    return db.resolve() if config.database_url == f"sqlite:///{db}" else None


def _file(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _head(path: Path, start: int, size: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(start)
            return f.read(size).hex()
    except FileNotFoundError:
        return ""


def database_stamp(db: Path) -> dict[str, Any]:
    """The database file and its write-ahead log as they are now. A commit changes the
    log's index header (its frame count and checksums, in the -shm file) even when it
    overwrites frames in place; a restart of the log changes the salts in its header; a
    checkpoint changes the file; a restored copy is another inode. The files' mtimes alone
    would miss two writes in one tick of a coarse clock."""
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    return {
        "file": _file(db),
        "change_counter": _head(db, 24, 4),  # what a rollback journal's commits change
        "wal": _file(wal),
        "wal_header": _head(wal, 0, 32),
        "wal_index": _head(shm, 0, 48),
    }


def record(config: Config, store: Store, targets: list[str]) -> None:
    """After a complete scan and its linking: what the quick path needs to answer the next
    one. Only ever a shortcut: whatever goes wrong here, no stamp, and the scan's own result
    stands (a full disk, a folder removed since, another scan writing the stamp too)."""
    try:
        _record(config, store, targets)
    except Exception:  # noqa: BLE001 (the stamp is a cache: the next scan goes the full way)
        forget(config)


def _record(config: Config, store: Store, targets: list[str]) -> None:
    from onward import accounts
    from onward.mail.sources.base import KnowsWhatIsNew
    from onward.tracker.repo import Tracker

    earlier = _stamped_folders(config)
    forget(config)
    db = _default_database(config)
    if db is None or config.for_person:
        return
    if Tracker(store).waiting_for_a_link():  # another scan stored mail and stopped before linking
        return
    # The sources stamped before stay, with their checkpoints as the database holds them now:
    # `onward scan A` and `onward scan B` in turn are both answered quickly.
    sources: dict[str, dict[str, Any]] = {
        name: {f: store.folder_state(name, f) for f in folders} for name, folders in earlier.items()
    }
    for target in targets:
        source, folders = accounts.source_for(config, target)
        try:
            if isinstance(source, KnowsWhatIsNew):
                sources[source.name] = {
                    f: store.folder_state(source.name, f) for f in _scanned(source, folders)
                }
        finally:
            source.close()
    store.engine.dispose()
    stamp = {"code": _code(), "database": database_stamp(db), "sources": sources}
    import tempfile  # here, not at the top: the quick answer has no use for it (5 ms)

    fd, tmp = tempfile.mkstemp(prefix=f".{STAMP}.", dir=config.paths.data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(stamp, f)
        Path(tmp).replace(config.paths.data_dir / STAMP)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _scanned(source: MailSource, folders: list[str] | None) -> list[str]:
    """The folders a complete scan of the target read. A server's are the ones asked for,
    taken without a second login: one the server lacks is stamped too, harmlessly, since the
    quick path asks the server about every folder again and a missing one is never current."""
    if source.kind == "imap":
        return folders or ["INBOX"]
    return source.folders(folders)


def _stamped_folders(config: Config) -> dict[str, list[str]]:
    try:
        stamp = json.loads((config.paths.data_dir / STAMP).read_text(encoding="utf-8"))
        return {name: list(states) for name, states in stamp["sources"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def forget(config: Config) -> None:
    """No quick answer until the next complete scan (one failed, or was stopped)."""
    try:
        (config.paths.data_dir / STAMP).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only folder: then no stamp could have been written there since either
