"""The store: one writer committing in batches, migrations run on open."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import quote
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, select
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    SQLAlchemyError,
    StatementError,
)

from onward import SCHEMA
from onward.errors import DatabaseError
from onward.mail.model import Email, RawMessage
from onward.store.schema import corrections, emails, folder_state, locations

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration (`onward.SCHEMA`). Checked against the migrations folder by a test;
# knowing it here lets every command skip importing Alembic (150 ms) when the database is up
# to date.
HEAD = SCHEMA
# Alembic runs a migration through module-wide proxies (`alembic.op`, `alembic.context`): two
# threads migrating at once (a worker's syncs, after an upgrade, each opening its person's
# schema) run each other's steps on the wrong connection, so one migrates at a time.
ALEMBIC = threading.Lock()


class StoreError(DatabaseError):
    """The database could not be opened or written."""


@dataclass(frozen=True)
class Written:
    """What a batch write stored: how many emails were new, and one sentence per message the
    database refused (it was skipped; the sentence names where it is, never what it says)."""

    new: int
    refused: tuple[str, ...] = ()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the dashboard read while a scan writes; busy_timeout makes two onward
    # processes wait for each other instead of failing with "database is locked".
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    # A checkpoint copies the pages the log holds into the database and syncs both. At the
    # default (every 1,000 pages) a first scan of 50,000 messages ran 40 of them, copying the
    # same index pages again each time: a quarter of its writing time. The log is emptied at
    # 64 MB instead, and cut back to that size when it grew past it.
    cur.execute("PRAGMA wal_autocheckpoint=16384")
    cur.execute("PRAGMA journal_size_limit=67108864")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


@contextmanager
def _foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite rebuilds a table to change it (a copy, then a drop): with foreign keys on, the
    drop would cascade to every row pointing at the table. SQLite ignores this pragma inside a
    transaction, so it is set before one begins; PostgreSQL alters tables in place."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.commit()
    try:
        yield
    finally:
        conn.rollback()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


def make_engine(url: str, **options: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Statements' values are mail: an error's text (printed, logged) must never carry them.
    engine = create_engine(url, future=True, hide_parameters=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _addrs(values: Iterable[Any]) -> str:
    """Addresses as one header-like text that reads back the same (`getaddresses`): a display
    name holding a comma or "<x@y>" is quoted, so it can never read back as an address."""
    return ", ".join(_addr(a.name, a.email) for a in values)


_SPECIALS = frozenset('()<>@,:;."[]\\')


def _addr(name: str, address: str) -> str:
    if not name:
        return address
    if not _SPECIALS.isdisjoint(name):
        name = f'"{quote(name)}"'
    return f"{name} <{address}>"


def verdict_columns(verdict: Any) -> dict[str, Any]:
    if verdict is None:
        return {}
    return {
        "kind": verdict.kind,
        "confidence": round(verdict.confidence, 4),
        "needs_review": verdict.needs_review,
        "company": verdict.company,
        "role": verdict.role,
        "ats": verdict.ats,
        "reasons": json.dumps(list(verdict.reasons)),
        "model_version": getattr(verdict, "model_version", ""),
        "interview_p": _interview_p(verdict),
    }


def _interview_p(verdict: Any) -> float | None:
    p = getattr(verdict, "probabilities", None) or {}
    # Unrounded: a rounded 0.09996 would pass the 10% bar in a scan and not in `onward classify`.
    return float(p["interview"]) if "interview" in p else None


def email_row(
    source: str, e: Email, size: int, now: datetime, verdict: Any = None
) -> dict[str, Any]:
    return verdict_columns(verdict) | {
        "source": source,
        "fingerprint": e.fingerprint,
        "message_id": e.message_id[:500],
        "subject": e.subject,
        "from_name": e.sender.name if e.sender else "",
        "from_addr": (e.sender.email if e.sender else "")[:500],
        "reply_to": _addrs(e.reply_to),
        "to_addrs": _addrs(e.to + e.cc),
        "sent_at": e.date,
        "in_reply_to": e.in_reply_to[:500],
        "refs": " ".join(e.references),
        "list_id": e.list_id,
        "list_unsubscribe": e.list_unsubscribe,
        "auto_submitted": e.auto_submitted,
        "labels": ",".join(e.labels),
        "body": e.text,
        "has_html": e.has_html,
        "attachments": e.attachments,
        "size": size,
        "defects": ",".join(e.defects),
        "scanned_at": now,
    }


class Bulk:
    """One `INSERT ... ON CONFLICT DO NOTHING` of whole rows, compiled once and run with the
    driver's executemany (SQLite's, or psycopg's, which pipelines the rows).

    Through `Connection.execute` SQLAlchemy builds and type-processes each row's parameters
    again for every batch, which was most of the scan's writing time. Here each column's
    value goes through that same type processor and defaults to that same Column default,
    in one pass; exceptions are still SQLAlchemy's (`exec_driver_sql`)."""

    def __init__(self, engine: Engine, insert: Any, table: Any, conflict: list[str]) -> None:
        dialect = engine.dialect
        columns = [c for c in table.columns if not c.primary_key]
        stmt = insert.values({c.name: bindparam(c.name) for c in columns})
        compiled = stmt.on_conflict_do_nothing(index_elements=conflict).compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = bool(compiled.positional)
        order = list(compiled.positiontup or []) if self.positional else [c.name for c in columns]
        by_name = {c.name: c for c in columns}
        self.names = order
        self.defaults = [_scalar_default(by_name[n]) for n in order]
        self.processors = [
            by_name[n].type.dialect_impl(dialect).bind_processor(dialect) for n in order
        ]

    def params(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        cells = list(zip(self.names, self.defaults, self.processors, strict=True))
        out: list[Any] = []
        for row in rows:
            values = []
            for name, default, process in cells:
                value = row.get(name, default)
                values.append(
                    process(value) if process is not None and value is not None else value
                )
            out.append(
                tuple(values) if self.positional else dict(zip(self.names, values, strict=True))
            )
        return out

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            conn.exec_driver_sql(self.sql, self.params(rows))


_BULK: dict[tuple[str, str, str], Bulk] = {}


def _scalar_default(column: Any) -> Any:
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


class Store:
    def __init__(self, url: str, only_schema: str | None = None) -> None:
        """`only_schema`: a person's store in a deployment, whose connections must see that
        PostgreSQL schema and no other; checked before anything is read or created."""
        self.url = url
        try:
            self.engine = make_engine(url)
            if only_schema is not None:
                self._check_schema(only_schema)
            self.migrate()
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not open the database ({_reason(exc)}).") from exc

    @property
    def _bulk_emails(self) -> Bulk:
        return self._bulk(emails, ("source", "fingerprint"))

    @property
    def _bulk_locations(self) -> Bulk:
        return self._bulk(locations, ("source", "folder", "uidvalidity", "key"))

    def _bulk(self, table: Any, conflict: tuple[str, ...]) -> Bulk:
        # Compiled once per process and driver, not per Store: a fleet worker opens a Store for
        # every sync, and most syncs find nothing new to insert (issue 18: <= 20 ms of worker
        # time per account). The SQL names no schema, so every person's Store shares it.
        dialect = self.engine.dialect
        key = (dialect.name, dialect.driver, table.name)
        found = _BULK.get(key)
        if found is None:
            found = _BULK[key] = Bulk(self.engine, self._insert(table), table, list(conflict))
        return found

    @classmethod
    def for_path(cls, path: Path) -> Store:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}")

    @contextmanager
    def durable(self) -> Iterator[Connection]:
        """A transaction that is on disk once it commits, through a power cut too: for what is
        written before something happens outside the database (a move journaled before the
        server moves the message), which must not vanish while its effect stays. In WAL mode
        SQLite's synchronous=NORMAL (`_sqlite_pragmas`) keeps a commit through a crash of onward,
        not of the machine; FULL syncs the log at this commit, and with it every commit before
        it. PostgreSQL's commits are durable already (synchronous_commit)."""
        with self.engine.connect() as conn:
            if conn.dialect.name != "sqlite":
                with conn.begin():
                    yield conn
                return
            # Outside a transaction, where SQLite reads it; set back before the pool hands the
            # connection to anyone else.
            conn.exec_driver_sql("PRAGMA synchronous=FULL")
            conn.commit()
            try:
                with conn.begin():
                    yield conn
            finally:
                try:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                    conn.commit()
                except SQLAlchemyError:
                    conn.invalidate()  # not set back: never handed out again

    def _insert(self, table: Any) -> Any:
        if self.engine.dialect.name == "postgresql":  # imported here: it is slow to import
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)

    def _check_schema(self, schema: str) -> None:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            seen = list(conn.execute(text("SELECT current_schemas(false)")).scalar() or [])
        if seen != [schema]:
            raise StoreError(
                f"The database connection sees the schemas {seen or 'none'}, not {schema} "
                "alone: a connection pooler may have dropped the connection options onward "
                "gave it; connect to PostgreSQL directly, or through a pooler that keeps them."
            )

    # migrations ------------------------------------------------------------------------
    def migrate(self) -> None:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            try:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except SQLAlchemyError:
                current = None
        if current == HEAD:
            return
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with ALEMBIC, self.engine.connect() as conn, _foreign_keys_off(conn):
            head = ScriptDirectory.from_config(cfg).get_current_head()
            with conn.begin():
                current = MigrationContext.configure(conn).get_current_revision()
                if current == head:
                    return
                from alembic import command

                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")

    # scan state ------------------------------------------------------------------------
    def folder_state(self, source: str, folder: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(folder_state.c.state).where(
                    folder_state.c.source == source, folder_state.c.folder == folder
                )
            ).scalar()
        return json.loads(raw) if raw else {}

    def known_keys(self, source: str, folder: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(locations.c.key).where(
                    locations.c.source == source, locations.c.folder == folder
                )
            )
            return {r[0] for r in rows}

    def reset_folder(self, source: str, folder: str) -> None:
        """Forget where messages were in a folder whose identity changed; the emails stay."""
        with self.engine.begin() as conn:
            conn.execute(
                locations.delete().where(locations.c.source == source, locations.c.folder == folder)
            )
            conn.execute(
                folder_state.delete().where(
                    folder_state.c.source == source, folder_state.c.folder == folder
                )
            )

    def write_batch(
        self,
        source: str,
        items: Sequence[tuple[RawMessage, Email, int, Any]],
        checkpoints: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> Written:
        """Store a batch and its checkpoints in one transaction. A message whose values the
        database refuses never blocks the others: the batch is then written one message at
        a time, and each refused one is skipped and reported."""
        now = datetime.now(UTC)
        try:
            try:
                with self.engine.begin() as conn:
                    new = self._write_emails(conn, source, items, now)
                    self._save_states(conn, source, checkpoints, now)
                return Written(new)
            except Exception as exc:
                if not _refused_data(exc):
                    raise
            return self._write_one_by_one(source, items, checkpoints, now)
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not write to the database ({_reason(exc)}).") from exc

    def _write_one_by_one(
        self,
        source: str,
        items: Sequence[tuple[RawMessage, Email, int, Any]],
        checkpoints: Sequence[tuple[str, dict[str, Any]]],
        now: datetime,
    ) -> Written:
        new, refused, kind = 0, [], ""
        for item in items:
            try:
                with self.engine.begin() as conn:
                    new += self._write_emails(conn, source, [item], now)
            except Exception as exc:
                if not _refused_data(exc):
                    raise
                kind = type(exc).__name__
                refused.append(
                    f"Skipped the message at {item[0].locator.display()}: the database refused "
                    f"one of its values ({kind})."
                )
        if len(items) > 1 and len(refused) == len(items):  # the database's fault, not the mail's
            raise StoreError(f"Could not write to the database: it refused every message ({kind}).")
        # Saved once everything before it is stored or skipped: the next scan goes on from here.
        with self.engine.begin() as conn:
            self._save_states(conn, source, checkpoints, now)
        return Written(new, tuple(refused))

    def _write_emails(
        self,
        conn: Any,
        source: str,
        items: Sequence[tuple[RawMessage, Email, int, Any]],
        now: datetime,
    ) -> int:
        if not items:
            return 0
        fps = list({e.fingerprint for _, e, _, _ in items})
        ids = self._ids(conn, fps)
        fresh: dict[str, dict[str, Any]] = {}
        for _, e, size, verdict in items:
            if e.fingerprint not in ids and e.fingerprint not in fresh:
                fresh[e.fingerprint] = email_row(source, e, size, now, verdict)
        if fresh:
            self._bulk_emails.run(conn, list(fresh.values()))
            ids.update(self._ids(conn, list(fresh)))
        places = [
            {
                "email_id": ids[e.fingerprint],
                "source": source,
                "folder": raw.locator.folder,
                "uidvalidity": raw.locator.uidvalidity,
                "key": raw.locator.key,
            }
            for raw, e, _, _ in items
        ]
        self._bulk_locations.run(conn, places)
        return len(fresh)

    def _ids(self, conn: Any, fps: list[str]) -> dict[str, int]:
        """The stored email of each fingerprint, from whichever source brought it first: a
        message is one message whatever account, folder or export it arrives through (the
        fingerprint hashes the header block, Message-ID included)."""
        out: dict[str, int] = {}
        # Written out rather than built with `in_()`: its expanding parameter is rendered anew
        # for every batch, a fifth of the scan's writing time.
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        for i in range(0, len(fps), 500):
            part = tuple(fps[i : i + 500])
            rows = conn.exec_driver_sql(
                "SELECT fingerprint, min(id) FROM emails WHERE fingerprint IN "
                f"({', '.join([mark] * len(part))}) GROUP BY fingerprint",
                part,
            )
            out.update(rows.all())  # at once: row by row took half as long again
        return out

    def _save_states(
        self,
        conn: Any,
        source: str,
        checkpoints: Sequence[tuple[str, dict[str, Any]]],
        now: datetime,
    ) -> None:
        for folder, state in checkpoints:
            self._save_state(conn, source, folder, state, now)

    def _save_state(
        self, conn: Any, source: str, folder: str, state: dict[str, Any], now: datetime
    ) -> None:
        stmt = self._insert(folder_state).values(
            source=source, folder=folder, state=json.dumps(state, sort_keys=True), updated_at=now
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["source", "folder"],
                set_={"state": stmt.excluded.state, "updated_at": stmt.excluded.updated_at},
            )
        )

    # corrections -----------------------------------------------------------------------
    def find_emails(self, message_id: str) -> list[dict[str, Any]]:
        """Emails by Message-ID (with or without angle brackets) or by database id."""
        mid = message_id.strip()
        q = select(emails)
        if mid.isdigit():
            q = q.where(emails.c.id == int(mid))
        else:
            mid = mid if mid.startswith("<") else f"<{mid}>"
            q = q.where(emails.c.message_id == mid)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def add_correction(
        self, email: dict[str, Any], kind: str, read: Mapping[str, str] | None = None
    ) -> None:
        """Record the person's kind for `email` (and its copies), with what the email says
        for that kind (`read`: company, role, ats)."""
        now = datetime.now(UTC)
        values = {
            "kind": kind,
            "confidence": 1.0,
            "needs_review": False,
            "reasons": json.dumps(["corrected by you"]),
            **(read or {}),
        }
        with self.engine.begin() as conn:
            conn.execute(
                corrections.insert().values(
                    email_id=email["id"],
                    message_id=email["message_id"],
                    kind=kind,
                    previous_kind=email.get("kind") or "",
                    subject=email["subject"],
                    from_name=email["from_name"],
                    from_addr=email["from_addr"],
                    body=email["body"],
                    created_at=now,
                )
            )
            conn.execute(
                emails.update()
                .where(emails.c.message_id == email["message_id"], emails.c.message_id != "")
                .values(**values)
            )
            conn.execute(emails.update().where(emails.c.id == email["id"]).values(**values))

    def corrections(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(corrections).order_by(corrections.c.id))
            return [dict(r._mapping) for r in rows]

    # reading ---------------------------------------------------------------------------
    def count_emails(self, source: str | None = None) -> int:
        q = select(func.count()).select_from(emails)
        if source is not None:
            q = q.where(emails.c.source == source)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's first line ("database is locked", "file is not a database"), but only the
    kind of error for a refused value, which that line may quote."""
    orig = getattr(exc, "orig", None)
    if orig is None or isinstance(exc, DataError):
        return type(orig or exc).__name__
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def _refused_data(exc: BaseException) -> bool:
    """Whether the database refused a value (the message's fault, not the database's)."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        return True  # raised while binding a value
    return isinstance(exc, UnicodeError)  # sqlite3 raises a text it cannot encode unwrapped
