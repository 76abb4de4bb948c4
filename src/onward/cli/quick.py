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
  test the source's `scan` uses), as that scan's checkpoint left it.
Anything else goes the full way: an IMAP account, a new folder, an option, any error. This
path only ever answers what the full command would.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onward.config import Config
    from onward.store import Store

STAMP = "last-scan.json"
NOTHING = {"scanned": 0, "new": 0, "skipped": 0, "errors": 0}


def nothing_new(argv: list[str]) -> int | None:
    """The exit status of `onward scan ...` when it is answered here, else None."""
    if not argv or argv[0] != "scan":
        return None
    as_json = "--json" in argv[1:]
    rest = [a for a in argv[1:] if a != "--json"]
    if len(rest) > 1 or any(a.startswith("-") for a in rest):
        return None  # an option (--folder, --debug, --help...) is the full command's to read
    if not as_json and sys.stdin.isatty() and sys.stdout.isatty():
        return None  # the full command may offer a check-in
    if os.environ.get("ONWARD_DB") or os.environ.get("ONWARD_PERSON"):
        return None
    try:
        return _answer(rest[0] if rest else None, as_json)
    except Exception:  # noqa: BLE001 (any doubt: the full command runs, and says what is wrong)
        return None


def _answer(target: str | None, as_json: bool) -> int | None:
    from onward.config import Config

    config = Config.load()
    db = _default_database(config)
    if db is None:
        return None
    stamp = json.loads((config.paths.data_dir / STAMP).read_text(encoding="utf-8"))
    if stamp.get("database") != database_stamp(db):
        return None
    targets = [target] if target else sorted(config.accounts)
    if not targets or not all(_current(config, t, stamp["sources"]) for t in targets):
        return None
    summary = NOTHING
    scanned = "Scanned 0 messages: 0 new, 0 already known, 0 unreadable."
    print(json.dumps(summary) if as_json else scanned)  # noqa: T201 (as the full command prints)
    return 0


def _current(config: Config, target: str, stamped: dict[str, Any]) -> bool:
    from onward import accounts
    from onward.mail.sources.base import KnowsWhatIsNew

    source, folders = accounts.source_for(config, target)
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
    return db if config.database_url == f"sqlite:///{db}" else None


def _file(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def database_stamp(db: Path) -> dict[str, Any]:
    """The database file and its write-ahead log as they are now. Every write changes the log
    (it grows; a restart of the log changes the salts in its header); a checkpoint changes the
    file; a restored copy is another inode."""
    wal = Path(f"{db}-wal")
    try:
        with open(wal, "rb") as f:
            header = f.read(32).hex()
    except FileNotFoundError:
        header = ""
    return {"file": _file(db), "wal": _file(wal), "wal_header": header}


def record(config: Config, store: Store, targets: list[str]) -> None:
    """After a complete scan and its linking: what the quick path needs to answer the next
    one. The store is closed first (its last connection folds the log into the file)."""
    from onward import accounts
    from onward.mail.sources.base import KnowsWhatIsNew

    forget(config)
    db = _default_database(config)
    if db is None or config.for_person:
        return
    sources: dict[str, dict[str, Any]] = {}
    for target in targets:
        source, folders = accounts.source_for(config, target)
        try:
            if isinstance(source, KnowsWhatIsNew):
                sources[source.name] = {
                    f: store.folder_state(source.name, f) for f in source.folders(folders)
                }
        finally:
            source.close()
    store.engine.dispose()
    stamp = {"database": database_stamp(db), "sources": sources}
    path = config.paths.data_dir / STAMP
    tmp = path.with_name(f".{STAMP}.tmp")
    tmp.write_text(json.dumps(stamp), encoding="utf-8")
    tmp.replace(path)


def forget(config: Config) -> None:
    """No quick answer until the next complete scan (one failed, or was stopped)."""
    (config.paths.data_dir / STAMP).unlink(missing_ok=True)
