"""A deployment for many people on one PostgreSQL: who they are, their accounts, and what the
sync workers know of each account.

Each person's data lives in a PostgreSQL schema of their own (`p000001`, ...), with the same
tables a single person's database has; a connection for a person sees only that schema (its
`search_path` holds nothing else), so every query onward has works unchanged and cannot reach
another person's rows. The deployment's own tables live in the schema `onward_fleet`;
Procrastinate's in `public`. docs/scale-out.md says why this isolation was chosen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from onward.errors import BadInput, NotFound
from onward.store.db import ALEMBIC, Store, StoreError, make_engine

SCHEMA = "onward_fleet"
MIGRATIONS = Path(__file__).parent / "fleet_migrations"
HEAD = "f001"
SYNC_TASK = "onward.sync_account"

metadata = MetaData(schema=SCHEMA)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("schema", String(63), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey(people.c.id, ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("settings", Text, nullable=False),
    Column("queue", String(50), nullable=False),
    Column("every_minutes", Integer, nullable=False),
    Column("next_sync_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("last_started_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_lag_seconds", Float),
    Column("last_seconds", Float),
    Column("last_new", Integer, nullable=False, default=0),
    Column("messages", BigInteger, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("needs_owner", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The account's sync waiting or running, found through the queue's two partial unique indexes
# (a waiting job's queueing_lock, a running job's lock: both are "sync:<account id>").
_LIVE_JOB = (
    "SELECT j.status FROM procrastinate_jobs j WHERE j.queueing_lock = 'sync:' || {account} "
    "AND j.status = 'todo' UNION ALL "
    "SELECT j.status FROM procrastinate_jobs j WHERE j.lock = 'sync:' || {account} "
    "AND j.status = 'doing'"
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")


class FleetError(BadInput):
    """The deployment cannot do what was asked (no PostgreSQL, an unknown person...)."""


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    schema: str
    created_at: datetime


@dataclass(frozen=True)
class FleetAccount:
    id: int
    person_id: int
    person: str
    schema: str
    name: str
    settings: dict[str, Any]
    queue: str
    every_minutes: int
    needs_owner: bool
    # The last sync started and never finished (killed, or failed): what it stored may not
    # be linked yet.
    interrupted: bool = False


def person_url(url: str, schema: str) -> str:
    """The database URL whose connections see only `schema`: every unqualified table name
    resolves there, and nothing else is on the search path."""
    u = make_url(url)
    given = u.query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    options = f"{given} -c search_path={schema}".strip()  # the operator's own options stay
    return u.update_query_dict({"options": options}).render_as_string(hide_password=False)


def person_folder(url: str, schema: str) -> str:
    """The name of a person's folder of files on a computer: their database and schema, so two
    deployments served from one computer never share one."""
    u = make_url(url)
    return f"{u.host or 'local'}-{u.port or 5432}-{u.database or 'postgres'}-{schema}"


def open_person(url: str, name: str) -> tuple[Store, Person, dict[str, Any]]:
    """One person of a deployment: their store (their schema alone), who they are, and their
    accounts' settings as [accounts.NAME] tables."""
    with Fleet(url) as fleet:
        who = fleet.person(name)
        tables = fleet.account_tables(who)
    return person_store(fleet.url, who.schema), who, tables


def person_store(url: str, schema: str) -> Store:
    """The store of the person whose data is in `schema`, refused unless its connections see
    that schema alone (a pooler such as PgBouncer may drop the search path it was given, and the
    person's queries would then reach the shared schema)."""
    return Store(person_url(url, schema), only_schema=schema)


def is_deployment(url: str) -> bool:
    """Whether the database holds a deployment for many people (whose `public` schema is the
    queue's, not a person's)."""
    if not is_postgres(url):
        return False
    engine = make_engine(url.replace("postgres://", "postgresql://", 1))
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(text("SELECT to_regclass('onward_fleet.people') IS NOT NULL")).scalar()
            )
    except SQLAlchemyError:
        return False  # the store's own opening says what is wrong with the database
    finally:
        engine.dispose()


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


class Fleet:
    """The deployment's control tables. Every query about people and accounts lives here."""

    def __init__(self, url: str, connections: int = 5) -> None:
        """`connections`: how many threads may use it at once (a worker's concurrency)."""
        if not is_postgres(url):
            raise FleetError(
                "Many people need PostgreSQL: give --db postgresql://... (or set ONWARD_DB)."
            )
        self.url = url.replace("postgres://", "postgresql://", 1)
        try:
            # Long-lived in a worker: a connection PostgreSQL closed (a restart) is replaced
            # before a sync uses it, instead of failing that sync.
            # A sync holds one connection for its person's lock and takes another for its
            # bookkeeping: two per thread, so a busy worker never waits on its own pool.
            self.engine: Engine = make_engine(
                self.url, pool_pre_ping=True, pool_size=2 * connections + 1, max_overflow=5
            )
            self._migrate()
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not open the deployment's database ({_first(exc)}).") from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        with self.engine.connect() as conn:
            current = conn.execute(
                text("SELECT to_regclass('onward_fleet.alembic_version') IS NOT NULL")
            ).scalar()
            if current:
                version = conn.execute(
                    text("SELECT version_num FROM onward_fleet.alembic_version")
                ).scalar()
                if version == HEAD:
                    return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with ALEMBIC, self.engine.begin() as conn:
            # Two processes starting at once must not both create the schema.
            conn.execute(text("SELECT pg_advisory_xact_lock(7301)"))
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    # people ----------------------------------------------------------------------------
    def add_person(self, name: str) -> Person:
        if not _NAME.match(name):
            raise FleetError(
                f"{name!r} is not a usable name: letters, digits and . _ @ + - (up to 200)."
            )
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                pid = conn.execute(
                    people.insert()
                    .values(name=name, schema="", created_at=now)
                    .returning(people.c.id)
                ).scalar_one()
                schema = f"p{pid:06d}"
                conn.execute(people.update().where(people.c.id == pid).values(schema=schema))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        except IntegrityError:
            raise FleetError(f"A person named {name!r} is already here.") from None
        # The person's tables, by the same migrations as a single person's database.
        person_store(self.url, schema).close()
        return Person(pid, name, schema, now)

    def person(self, name: str) -> Person:
        with self.engine.connect() as conn:
            row = conn.execute(select(people).where(people.c.name == name)).first()
        if row is None:
            raise NotFound(f"No person named {name!r} here (see `onward people list`).")
        return Person(row.id, row.name, row.schema, row.created_at)

    def people(self) -> list[dict[str, Any]]:
        """Each person with their accounts' count, last sync and how many need them."""
        q = (
            select(
                people.c.name,
                people.c.schema,
                people.c.created_at,
                func.count(accounts.c.id).label("accounts"),
                func.max(accounts.c.last_success_at).label("last_success_at"),
                func.count(accounts.c.id).filter(accounts.c.needs_owner).label("need_owner"),
            )
            .select_from(people.outerjoin(accounts))
            .group_by(people.c.id)
            .order_by(people.c.name)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def remove_person(self, name: str) -> Person:
        """Everything of theirs, in one transaction: their schema (mail, verdicts,
        applications, check-ins...), their accounts, and the queue's jobs for those accounts
        that are not running (a running one finds its account gone and stops)."""
        who = self.person(name)
        try:
            self._remove(who)
        except OperationalError as exc:
            raise FleetError(
                f"{name}'s data is in use (a sync of theirs is running): try again in a minute."
            ) from exc
        return who

    def _remove(self, who: Person) -> None:
        with self.engine.begin() as conn:
            # A running sync holds locks on their tables: wait for it a while, not forever.
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            ids = [
                r[0]
                for r in conn.execute(select(accounts.c.id).where(accounts.c.person_id == who.id))
            ]
            if ids and _has_queue(conn):
                conn.execute(
                    text(
                        "DELETE FROM procrastinate_jobs WHERE task_name = :task "
                        "AND status <> 'doing' AND (args->>'account_id')::int = ANY(:ids)"
                    ),
                    {"task": SYNC_TASK, "ids": ids},
                )
            conn.execute(text(f"DROP SCHEMA {who.schema} CASCADE"))
            conn.execute(people.delete().where(people.c.id == who.id))

    # accounts --------------------------------------------------------------------------
    def add_account(
        self,
        person: str,
        name: str,
        settings: dict[str, Any],
        queue: str,
        every_minutes: int = 15,
        replace: bool = False,
    ) -> int:
        who = self.person(person)
        now = datetime.now(UTC)
        values = {
            "settings": json.dumps(settings, sort_keys=True),
            "queue": queue,
            "every_minutes": every_minutes,
            "next_sync_at": now,
            "needs_owner": False,
            "failures": 0,
            "last_error": "",
        }
        with self.engine.begin() as conn:
            found = conn.execute(
                select(accounts.c.id).where(accounts.c.person_id == who.id, accounts.c.name == name)
            ).scalar()
            if found is not None and not replace:
                raise FleetError(
                    f"{person} already has an account named {name!r}: add --replace to start "
                    "it over."
                )
            if found is not None:
                conn.execute(accounts.update().where(accounts.c.id == found).values(**values))
                return int(found)
            return int(
                conn.execute(
                    accounts.insert()
                    .values(person_id=who.id, name=name, created_at=now, **values)
                    .returning(accounts.c.id)
                ).scalar_one()
            )

    def account(self, account_id: int) -> FleetAccount | None:
        q = (
            select(accounts, people.c.name.label("person"), people.c.schema)
            .select_from(accounts.join(people))
            .where(accounts.c.id == account_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        return FleetAccount(
            row.id,
            row.person_id,
            row.person,
            row.schema,
            row.name,
            json.loads(row.settings),
            row.queue,
            row.every_minutes,
            row.needs_owner,
            row.last_started_at is not None
            and (row.last_success_at is None or row.last_started_at > row.last_success_at),
        )

    @contextmanager
    def person_lock(self, person_id: int) -> Iterator[None]:
        """One sync of a person at a time, across every worker: two accounts of one person
        syncing at once would both link the same new mail (two applications for one employer)
        and both store a message that reached both accounts. Held on a connection of its own,
        so a killed worker's lock goes with its connection."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7303, :p)"), {"p": person_id})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7303, :p)"), {"p": person_id})
                conn.commit()

    def account_tables(self, who: Person) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(accounts.c.name, accounts.c.settings).where(accounts.c.person_id == who.id)
            )
            return {r.name: json.loads(r.settings) for r in rows}

    def resume(self, person: str, name: str) -> None:
        """The owner fixed the account (a new password command, a new token): sync it again."""
        who = self.person(person)
        with self.engine.begin() as conn:
            done = conn.execute(
                accounts.update()
                .where(accounts.c.person_id == who.id, accounts.c.name == name)
                .values(
                    needs_owner=False, failures=0, last_error="", next_sync_at=datetime.now(UTC)
                )
            )
        if not done.rowcount:
            raise NotFound(f"{person} has no account named {name!r}.")

    # the sync's record -----------------------------------------------------------------
    def claim_due(self, now: datetime, limit: int = 5000) -> list[tuple[int, str]]:
        """Accounts whose sync is due and that have no sync waiting or running, marked as
        claimed (their next sync moves one interval on). Claiming and the queue's own check
        happen in one statement, so two fan-outs never claim one account twice."""
        sql = text(
            f"""
            UPDATE {SCHEMA}.accounts AS a
               SET due_at = a.next_sync_at,
                   next_sync_at = greatest(a.next_sync_at, :now - make_interval(mins => 1))
                                  + make_interval(mins => a.every_minutes)
             WHERE a.id IN (
                   SELECT c.id FROM {SCHEMA}.accounts c
                    WHERE c.next_sync_at <= :now AND NOT c.needs_owner
                      AND NOT EXISTS ({_LIVE_JOB.format(account="c.id")})
                    ORDER BY c.next_sync_at
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED)
            RETURNING a.id, a.queue
            """
        )
        with self.engine.begin() as conn:
            return [(r.id, r.queue) for r in conn.execute(sql, {"now": now, "limit": limit})]

    def started(self, account_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                accounts.update().where(accounts.c.id == account_id).values(last_started_at=now)
            )

    def succeeded(
        self, account_id: int, now: datetime, new: int, seconds: float, stored: int | None = None
    ) -> None:
        """`stored`, when given, is the account's whole count of emails (the last sync was cut
        short before it could add its own); otherwise this sync's `new` ones are added."""
        lag = func.extract("epoch", now - func.coalesce(accounts.c.due_at, now))
        with self.engine.begin() as conn:
            conn.execute(
                accounts.update()
                .where(accounts.c.id == account_id)
                .values(
                    last_success_at=now,
                    last_lag_seconds=lag,
                    last_seconds=seconds,
                    last_new=new,
                    messages=accounts.c.messages + new if stored is None else stored,
                    failures=0,
                    last_error="",
                    due_at=None,
                )
            )

    def failed(self, account_id: int, error: str, needs_owner: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                accounts.update()
                .where(accounts.c.id == account_id)
                .values(
                    failures=accounts.c.failures + 1,
                    last_error=error[:500],
                    needs_owner=accounts.c.needs_owner | needs_owner,
                )
            )

    def make_due(self, person: str | None = None) -> int:
        """Every account (of `person`) due now: for `onward fleet sync-now` and the tests."""
        q = accounts.update().values(next_sync_at=datetime.now(UTC) - timedelta(seconds=1))
        if person is not None:
            q = q.where(accounts.c.person_id == self.person(person).id)
        with self.engine.begin() as conn:
            return int(conn.execute(q).rowcount)

    def ensure_queue(self, schema_sql: str) -> None:
        """Create the queue's tables (Procrastinate's schema) unless they exist; two workers
        starting at once create them once."""
        with self.engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(7302)"))
            if not _has_queue(conn):
                # Without parameters psycopg sends the script as it is, many statements at once.
                conn.connection.driver_connection.execute(schema_sql)  # type: ignore[union-attr]

    # status ----------------------------------------------------------------------------
    def status(self) -> list[dict[str, Any]]:
        """Every account: its owner, queue, last successful sync, lag, failures, whether it
        needs its owner, and whether a sync is waiting or running now."""
        with self.engine.connect() as conn:
            queue = _has_queue(conn)
            state = (
                f"(SELECT min(j.status::text) FROM ({_LIVE_JOB.format(account='a.id')}) j)"
                if queue
                else "NULL"
            )
            rows = conn.execute(
                text(
                    f"""
                    SELECT p.name AS person, a.name AS account, a.queue, a.every_minutes,
                           a.last_success_at, a.last_lag_seconds, a.last_seconds, a.messages,
                           a.failures, a.last_error, a.needs_owner, a.next_sync_at,
                           {state} AS job
                      FROM {SCHEMA}.accounts a JOIN {SCHEMA}.people p ON p.id = a.person_id
                     ORDER BY p.name, a.name
                    """
                )
            )
            return [dict(r._mapping) for r in rows]

    def schema_sizes(self) -> list[dict[str, Any]]:
        """Rows and bytes of each person's schema (for the benchmark and `fleet status`)."""
        sql = text(
            f"""
            SELECT p.name AS person, p.schema,
                   coalesce(sum(c.reltuples) FILTER (WHERE c.relkind = 'r'), 0)::bigint AS rows,
                   coalesce(sum(pg_total_relation_size(c.oid))
                            FILTER (WHERE c.relkind = 'r'), 0)::bigint AS bytes
              FROM {SCHEMA}.people p
              JOIN pg_namespace n ON n.nspname = p.schema
              LEFT JOIN pg_class c ON c.relnamespace = n.oid
             GROUP BY p.name, p.schema ORDER BY p.name
            """
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sql)]


def _has_queue(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar())


def _first(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    lines = str(orig or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
