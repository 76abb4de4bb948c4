"""Sync workers on real parts: one PostgreSQL, one Dovecot with a hundred-odd virtual users of
their own passwords, and `onward worker` processes started as an operator starts them.

What the queue did is read back from a history the test database keeps of every job's changes
(a trigger on Procrastinate's job table), since the workers delete a job once it succeeds."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from onward import accounts
from onward.fleet.providers import queue_for
from onward.fleet.worker import defer_due, ensure_queue, make_app
from onward.store.db import make_engine
from onward.store.fleet import SYNC_TASK, Fleet, person_url
from tests.dovecot import Dovecot
from tests.jobmail import inbox
from tests.runner import SRC, run

# Every job's changes of status, kept after the workers delete the job (test database only).
HISTORY = """
CREATE TABLE test_job_history (
    job_id bigint, task_name text, lock text, status text, attempts int, worker_id bigint,
    at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE FUNCTION test_job_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO test_job_history (job_id, task_name, lock, status, attempts, worker_id)
        VALUES (OLD.id, OLD.task_name, OLD.lock, 'deleted', OLD.attempts, OLD.worker_id);
        RETURN OLD;
    END IF;
    INSERT INTO test_job_history (job_id, task_name, lock, status, attempts, worker_id)
    VALUES (NEW.id, NEW.task_name, NEW.lock, NEW.status::text, NEW.attempts, NEW.worker_id);
    RETURN NEW;
END $$;
CREATE TRIGGER test_job_history AFTER INSERT OR UPDATE OF status OR DELETE
    ON procrastinate_jobs FOR EACH ROW EXECUTE FUNCTION test_job_history();
"""


@dataclass
class Person:
    name: str
    user: str
    password: str
    message_ids: set[str] = field(default_factory=set)


def message_ids(raws: list[bytes]) -> set[str]:
    import email

    return {str(email.message_from_bytes(r)["Message-ID"]) for r in raws}


class Deployment:
    """A fresh database of the test's own on the session's PostgreSQL, its people, their
    mailboxes on the shared Dovecot, and the worker processes serving them."""

    def __init__(self, url: str, dovecot: Dovecot, root: Path) -> None:
        self.url = url
        self.dovecot = dovecot
        self.root = root
        self.home = root / "home"
        self.fleet = Fleet(url)
        ensure_queue(self.fleet)
        with self.fleet.engine.begin() as conn:
            conn.connection.driver_connection.execute(HISTORY)  # type: ignore[union-attr]
        self.people: dict[str, Person] = {}
        self.workers: list[subprocess.Popen[bytes]] = []

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        self.fleet.close()

    # people and their mail ---------------------------------------------------------------
    def mailboxes(self, sizes: dict[str, int], seed: int | None = None) -> None:
        """A Dovecot user per person (named after the test's database, so no two tests share
        one), with a password of its own and `sizes[person]` messages in INBOX: the same
        messages for everyone when `seed` is given."""
        tag = self.url.rsplit("/", 1)[1]
        new = {}
        for n, (name, size) in enumerate(sizes.items()):
            user = f"{tag}-{name}"
            pw = f"pw-{name}-{n}"
            raws, _ = inbox(size, max(1, size // 5), seed=n if seed is None else seed)
            self.dovecot.fill_maildir(user, raws)
            self.people[name] = Person(name, user, pw, message_ids(raws))
            new[user] = pw
        self.dovecot.add_users(new)

    def settings(self, who: Person, password: str | None = None) -> dict[str, Any]:
        """What `onward account add mail --person ...` stores for this person's mailbox."""
        return accounts.imap_table(
            f"127.0.0.1:{self.dovecot.port}",
            who.user,
            "starttls",
            password_command=f"echo {password or who.password}",
            ca_file=self.dovecot.cafile,
        )

    def add(self, name: str, password: str | None = None) -> None:
        """The person and their account, straight into the deployment's tables (a hundred
        `onward` processes would take a minute of the suite)."""
        self.fleet.add_person(name)
        table = self.settings(self.people[name], password)
        self.fleet.add_account(name, "mail", table, queue_for(table))

    def add_by_cli(self, name: str) -> None:
        who = self.people[name]
        ok(self.onward("people", "add", name))
        ok(
            self.onward(
                "account",
                "add",
                "mail",
                "--person",
                name,
                "--imap",
                f"127.0.0.1:{self.dovecot.port}",
                "--starttls",
                "--ca-file",
                self.dovecot.cafile,
                "--user",
                who.user,
                "--password-command",
                f"echo {who.password}",
            )
        )

    def onward(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run("--db", self.url, *args, home=self.home)

    # workers -----------------------------------------------------------------------------
    def start_worker(self, concurrency: int = 4) -> tuple[subprocess.Popen[bytes], int]:
        """An `onward worker` process, and its id in the queue once it has registered."""
        before = set(self.worker_ids())
        log = open(self.root / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "onward", "--db", self.url, "worker", "--tick", "1"]
            + ["--stalled-after", "3", "--concurrency", str(concurrency)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                "ONWARD_HOME": str(self.home),
                "HOME": str(self.home),
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(SRC),
            },
        )
        log.close()
        self.workers.append(proc)
        ids = self.wait(lambda: set(self.worker_ids()) - before, 30, "worker's registration", proc)
        return proc, ids.pop()

    def wait(
        self, check: Callable[[], Any], timeout: float, what: str, *procs: subprocess.Popen[bytes]
    ) -> Any:
        """`check()` once it is true; fails when `timeout` passes or one of `procs` exits."""
        deadline = time.monotonic() + timeout
        while True:
            got = check()
            if got:
                return got
            for proc in procs:
                assert proc.poll() is None, (
                    f"a worker exited ({proc.returncode}) before {what}\n{self.logs()}"
                )
            assert time.monotonic() < deadline, (
                f"no {what} within {timeout} s\n{self.logs()}\n{self.summary()}"
            )
            time.sleep(0.1)

    def summary(self) -> str:
        """Each account's state, as one line each (what a failed wait shows)."""
        return "\n".join(
            f"{r['person']}: job={r['job']} ok={r['last_success_at']} failures={r['failures']} "
            f"needs_owner={r['needs_owner']} error={r['last_error']!r}"
            for r in self.fleet.status()
        )

    def logs(self) -> str:
        return "".join(
            f"--- {log.name}\n{tail(log.read_text(errors='replace'))}\n"
            for log in sorted(self.root.glob("worker-*.log"))
        )

    def worker_ids(self) -> list[int]:
        return self.scalars("SELECT id FROM procrastinate_workers")

    # reading the database ----------------------------------------------------------------
    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.fleet.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def scalars(self, sql: str, **params: Any) -> list[Any]:
        return [r[0] for r in self.rows(sql, **params)]

    def account_id(self, name: str) -> int:
        return int(
            self.scalars(
                "SELECT a.id FROM onward_fleet.accounts a JOIN onward_fleet.people p "
                "ON p.id = a.person_id WHERE p.name = :name",
                name=name,
            )[0]
        )

    def stored(self, name: str) -> dict[str, Any]:
        """What the person's own schema holds, read as the person (their search_path)."""
        engine = make_engine(person_url(self.url, self.fleet.person(name).schema))
        try:
            with engine.connect() as conn:
                ids = [r[0] for r in conn.execute(text("SELECT message_id FROM emails"))]
                places = [
                    tuple(r)
                    for r in conn.execute(text("SELECT folder, uidvalidity, key FROM locations"))
                ]
                unlocated = conn.execute(
                    text(
                        "SELECT count(*) FROM emails e WHERE NOT EXISTS "
                        "(SELECT 1 FROM locations l WHERE l.email_id = e.id)"
                    )
                ).scalar()
                verdicts = [
                    tuple(r)
                    for r in conn.execute(
                        text(
                            "SELECT e.message_id, e.kind, e.link_state, a.company, a.role "
                            "FROM emails e LEFT JOIN applications a ON a.id = e.application_id"
                        )
                    )
                ]
        finally:
            engine.dispose()
        return {
            "ids": ids,
            "places": places,
            "unlocated": unlocated,
            "verdicts": sorted(verdicts, key=lambda v: tuple(str(x) for x in v)),
        }

    def count(self, name: str) -> int:
        schema = self.fleet.person(name).schema
        return int(self.scalars(f"SELECT count(*) FROM {schema}.emails")[0])

    def history(self, lock: str) -> list[Any]:
        return self.rows(
            "SELECT job_id, status, attempts, worker_id, at FROM test_job_history "
            "WHERE lock = :lock ORDER BY at",
            lock=lock,
        )

    def live_jobs(self, lock: str) -> list[Any]:
        return self.rows(
            "SELECT id, status, worker_id, attempts FROM procrastinate_jobs "
            "WHERE lock = :lock AND status IN ('todo', 'doing')",
            lock=lock,
        )

    def settled(self) -> bool:
        """Every account synced (or waiting for its owner), and no sync waiting or running."""
        rows = self.fleet.status()
        return all(r["needs_owner"] or r["last_success_at"] for r in rows) and not any(
            r["job"] for r in rows
        )

    def status_json(self) -> dict[str, dict[str, Any]]:
        done = self.onward("fleet", "status", "--json")
        ok(done)
        return {r["person"]: r for r in json.loads(done.stdout)}


def tail(log: str) -> str:
    """A worker's log without the housekeeping lines that fill it every tick."""
    lines = [
        line for line in log.splitlines() if "fan_out" not in line and "retry_stalled" not in line
    ]
    return "\n".join(lines[-40:])


def ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def deployment(postgres_server: str, dovecot: Dovecot, tmp_path: Path) -> Iterator[Deployment]:
    import uuid

    import psycopg

    name = f"w{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    d = Deployment(f"{postgres_server}/{name}", dovecot, tmp_path)
    try:
        yield d
    finally:
        d.close()
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn,
        ):
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# 1 -----------------------------------------------------------------------------------------
PEOPLE = 104
BY_CLI = 2
MESSAGES = 20


def test_two_workers_store_every_message_of_a_hundred_accounts_exactly_once(
    deployment: Deployment,
) -> None:
    d = deployment
    names = [f"person{i:03d}" for i in range(PEOPLE)]
    d.mailboxes({n: MESSAGES for n in names})
    for n in names[:BY_CLI]:
        d.add_by_cli(n)
    began = time.monotonic()
    for n in names[BY_CLI:]:
        d.add(n)
    sys.stderr.write(
        f"{PEOPLE - BY_CLI} people added by the API in {time.monotonic() - began:.1f} s\n"
    )
    # The CLI stores what the test stores by the API.
    cli_account = d.fleet.account(d.account_id(names[0]))
    assert cli_account is not None
    assert cli_account.settings == d.settings(d.people[names[0]])

    began = time.monotonic()
    w1, _ = d.start_worker()
    w2, _ = d.start_worker()
    d.wait(d.settled, 120, "sync of every account", w1, w2)
    sys.stderr.write(f"{PEOPLE} accounts synced in {time.monotonic() - began:.1f} s\n")

    for n in names:
        got = d.stored(n)
        assert Counter(got["ids"]) == Counter(d.people[n].message_ids), n
        assert len(got["places"]) == MESSAGES and len(set(got["places"])) == MESSAGES, n
        assert got["unlocated"] == 0, n
    status = d.status_json()
    assert sorted(status) == names
    for n, row in status.items():
        assert row["last_success_at"], n
        assert row["failures"] == 0 and row["last_error"] == "" and not row["needs_owner"], n
        assert row["messages"] == MESSAGES, n
        assert row["state"] == "ok", n
    # Both processes did their share: the two are a pool, not one worker and a spare.
    by_worker = Counter(
        r[0]
        for r in d.rows(
            "SELECT worker_id FROM test_job_history WHERE task_name = :t AND status = 'doing'",
            t=SYNC_TASK,
        )
    )
    assert len(by_worker) == 2 and sum(by_worker.values()) == PEOPLE, by_worker


# 2 -----------------------------------------------------------------------------------------
BIG = 3000  # 24 chunks of 125: a sync that is still going when the kill comes


def test_a_worker_killed_mid_sync_then_a_new_worker_loses_and_duplicates_nothing(
    deployment: Deployment,
) -> None:
    d = deployment
    # "control" has the same mail, synced whole first: what a full sync leaves.
    d.mailboxes({"control": BIG, "killed": BIG}, seed=7)
    d.add("control")
    w1, id1 = d.start_worker(concurrency=2)
    d.wait(d.settled, 60, "the control's sync", w1)
    d.add("killed")
    w2, id2 = d.start_worker(concurrency=2)
    procs = {id1: w1, id2: w2}
    lock = f"sync:{d.account_id('killed')}"

    def midway() -> Any:
        jobs = d.live_jobs(lock)
        stored = d.count("killed")
        return jobs and jobs[0].status == "doing" and 500 <= stored <= BIG - 1000 and jobs[0]

    job = d.wait(midway, 60, "the sync halfway", w1, w2)
    victim = procs[job.worker_id]
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    killed_at = d.scalars("SELECT clock_timestamp()")[0]
    at_kill = d.count("killed")
    survivor = w2 if victim is w1 else w1
    w3, id3 = d.start_worker(concurrency=2)
    d.wait(d.settled, 90, "the killed sync done", survivor, w3)
    assert 0 < at_kill < BIG, at_kill

    got, control = d.stored("killed"), d.stored("control")
    assert len(got["ids"]) == BIG
    assert Counter(got["ids"]) == Counter(d.people["killed"].message_ids)
    assert len(got["places"]) == BIG and len(set(got["places"])) == BIG
    assert got["unlocated"] == 0
    # Classified and linked as the uninterrupted sync left the same mail.
    assert got["verdicts"] == control["verdicts"]
    assert not [v for v in got["verdicts"] if v[1] is None]

    # The queue: the one job, put back by onward.retry_stalled once the dead worker's
    # heartbeat was older than --stalled-after (3 s; a heartbeat a second), then finished by
    # a live worker.
    steps = [(h.status, h.attempts) for h in d.history(lock)]
    assert steps == [("todo", 0), ("doing", 0), ("todo", 1), ("doing", 1), ("deleted", 1)]
    history = d.history(lock)
    assert len({h.job_id for h in history}) == 1
    assert history[1].worker_id == job.worker_id
    assert history[3].worker_id in {id1, id2, id3} - {job.worker_id}
    retried_at = history[2].at
    assert (retried_at - killed_at).total_seconds() >= 1.5
    by = d.rows(
        "SELECT job_id, min(at) AS began, max(at) AS ended FROM test_job_history "
        "WHERE task_name = 'onward.retry_stalled' AND status IN ('doing', 'deleted') "
        "GROUP BY job_id HAVING min(at) <= :t AND max(at) >= :t",
        t=retried_at,
    )
    assert len(by) == 1, "the retry came from no onward.retry_stalled job"
    # Heartbeats, not run time: the control's sync, longer than --stalled-after on a live
    # worker, was never taken from it.
    control_steps = [(h.status, h.attempts) for h in d.history(f"sync:{d.account_id('control')}")]
    assert control_steps == [("todo", 0), ("doing", 0), ("deleted", 0)]
    status = d.status_json()
    for name in ("killed", "control"):
        row = status[name]
        assert row["failures"] == 0 and row["state"] == "ok", name
        # The killed sync's stored chunks count too, though it never reported them.
        assert row["messages"] == BIG, name


# 3 -----------------------------------------------------------------------------------------
def test_a_wrong_password_waits_for_its_owner_and_the_others_sync(deployment: Deployment) -> None:
    d = deployment
    names = [f"pw{i}" for i in range(6)]
    d.mailboxes({n: 30 for n in names})
    for n in names:
        d.add(n, password="not-the-password" if n == "pw3" else None)
    w1, _ = d.start_worker(concurrency=2)
    w2, _ = d.start_worker(concurrency=2)
    d.wait(d.settled, 60, "every account done", w1, w2)
    # Ticks go by, and someone asks for a sync of everyone: the account is not tried again.
    ok(d.onward("fleet", "sync"))
    time.sleep(3.5)
    d.wait(d.settled, 30, "every account done again", w1, w2)

    status = d.status_json()
    wrong = status.pop("pw3")
    assert wrong["needs_owner"] is True
    assert wrong["failures"] == 1
    assert wrong["last_success_at"] is None
    error = wrong["last_error"]
    assert "refused the login" in error and "\n" not in error and error.endswith(".")
    assert "not-the-password" not in error and "Traceback" not in error
    assert wrong["state"] == f"needs owner: {error}"
    tries = [h for h in d.history(f"sync:{d.account_id('pw3')}") if h.status == "doing"]
    assert len(tries) == 1
    for n, row in status.items():
        assert row["failures"] == 0 and not row["needs_owner"] and row["state"] == "ok", n
        assert Counter(d.stored(n)["ids"]) == Counter(d.people[n].message_ids), n
    shown = d.onward("fleet", "status")
    ok(shown)
    assert "1 account(s) need their owner" in shown.stdout

    # The owner gives the right password: the next tick syncs the account.
    d.fleet.add_account("pw3", "mail", d.settings(d.people["pw3"]), "imap-other", replace=True)
    d.wait(d.settled, 30, "the fixed account synced", w1, w2)
    fixed = d.status_json()["pw3"]
    assert fixed["needs_owner"] is False and fixed["failures"] == 0 and fixed["last_success_at"]
    assert Counter(d.stored("pw3")["ids"]) == Counter(d.people["pw3"].message_ids)


# 4 -----------------------------------------------------------------------------------------
def test_a_fan_out_while_an_account_syncs_defers_nothing_more_for_it(
    deployment: Deployment,
) -> None:
    d = deployment
    # Three times the others: the sync must outlast a fan-out's round trip on a loaded machine.
    d.mailboxes({"busy": 3 * BIG})
    d.add("busy")
    account = d.account_id("busy")
    lock = f"sync:{account}"
    w, _ = d.start_worker(concurrency=2)

    # Waited for until a worker has taken it: deferred, it is "todo" for a moment first.
    def syncing() -> list[Any]:
        jobs = d.live_jobs(lock)
        return jobs if [j.status for j in jobs] == ["doing"] else []

    running = d.wait(syncing, 30, "the sync under way", w)
    # Due again while it syncs (what `onward fleet sync busy` does), and a fan-out comes.
    assert d.fleet.make_due("busy") == 1
    app = make_app(d.url)
    with app.open():
        assert defer_due(d.fleet, app.tasks[SYNC_TASK].configure) == 0
    assert d.fleet.claim_due(datetime.now(UTC)) == []
    assert d.live_jobs(lock) == running, "the sync ended before the fan-out came"
    d.wait(d.settled, 60, "the sync done", w)
    # Nor did the worker's own fan-outs, every second of the sync: the sync asked for by
    # `onward fleet sync` was deferred once the running one had ended, not beside it.
    history = d.history(lock)
    first = history[0].job_id
    ended = max(h.at for h in history if h.job_id == first and h.status == "deleted")
    assert all(h.at > ended for h in history if h.job_id != first)
    assert Counter(d.stored("busy")["ids"]) == Counter(d.people["busy"].message_ids)


# An upgrade of onward that brings a migration ---------------------------------------------
def schema_at(url: str, schema: str, revision: str) -> None:
    """Take a person's schema back to `revision`, as a deployment made by an older onward."""
    from alembic import command
    from alembic.config import Config

    from onward.store.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(person_url(url, schema))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def tables(d: Deployment, schema: str) -> list[tuple[str, str]]:
    return [
        tuple(r)
        for r in d.rows(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = :s ORDER BY 1",
            s=schema,
        )
    ]


def test_a_worker_upgrading_many_peoples_schemas_at_once_migrates_each_in_its_own(
    deployment: Deployment,
) -> None:
    from onward.store.db import HEAD

    d = deployment
    names = [f"up{i}" for i in range(8)]
    d.mailboxes({n: 10 for n in names})
    for n in names:
        d.add(n)
    fresh = tables(d, d.fleet.person(names[0]).schema)
    for n in names:
        schema_at(d.url, d.fleet.person(n).schema, "0005")
    # One process syncing eight accounts at once: eight schemas migrated side by side.
    w, _ = d.start_worker(concurrency=8)
    d.wait(d.settled, 60, "every account synced", w)
    for n in names:
        schema = d.fleet.person(n).schema
        assert d.scalars(f"SELECT version_num FROM {schema}.alembic_version") == [HEAD], n
        assert tables(d, schema) == fresh, n
        assert Counter(d.stored(n)["ids"]) == Counter(d.people[n].message_ids), n
    for n, row in d.status_json().items():
        assert row["failures"] == 0 and row["last_error"] == "", (n, row)


# A worker stopped by its operator --------------------------------------------------------
def test_a_worker_stopped_mid_sync_finishes_that_sync_alone(deployment: Deployment) -> None:
    d = deployment
    d.mailboxes({"drained": 5 * BIG})  # scans got faster: 2 * BIG drained in 3.4 s
    w1, id1 = d.start_worker(concurrency=2)
    w2, id2 = d.start_worker(concurrency=2)
    procs = {id1: w1, id2: w2}
    d.add("drained")
    lock = f"sync:{d.account_id('drained')}"

    def started() -> Any:
        jobs = d.live_jobs(lock)
        return jobs and jobs[0].status == "doing" and d.count("drained") >= 250 and jobs[0]

    job = d.wait(started, 60, "the sync under way", w1, w2)
    stopped = procs[job.worker_id]
    other = w2 if stopped is w1 else w1
    # As systemd, Kubernetes or a Ctrl-C stops it: the worker finishes what it runs, then exits.
    stopped.send_signal(signal.SIGTERM)
    began = time.monotonic()
    assert stopped.wait(60) == 0, d.logs()
    # Long enough for a worker that stopped beating to look stalled (3 s) and be retried.
    drained = time.monotonic() - began
    sys.stderr.write(f"drained in {drained:.1f} s\n")
    assert drained > 5, "the sync ended too soon to tell: give it a bigger mailbox"
    d.wait(d.settled, 60, "the sync done", other)
    # Its sync stayed its own while it finished it: no other worker ran that account beside it.
    steps = [(h.status, h.attempts, h.worker_id) for h in d.history(lock)]
    assert steps == [("todo", 0, None), ("doing", 0, job.worker_id), ("deleted", 0, job.worker_id)]
    assert Counter(d.stored("drained")["ids"]) == Counter(d.people["drained"].message_ids)


# 7 -----------------------------------------------------------------------------------------
def test_two_accounts_of_one_person_synced_at_once_store_and_track_their_mail_once(
    deployment: Deployment,
) -> None:
    """A person whose two mailboxes hold the same mail (a forward, a cc), both due at once and
    taken by two workers' threads at the same moment: the same as syncing one after the other."""
    import threading

    from onward.fleet.sync import sync_account

    d = deployment
    d.mailboxes({"work": 400, "home": 400}, seed=7)
    for person in ("ada", "cy"):
        d.fleet.add_person(person)
        for box in ("work", "home"):
            table = d.settings(d.people[box])
            d.fleet.add_account(person, box, table, queue_for(table))
    ids = {
        (r.person, r.name): r
        for r in d.rows(
            "SELECT p.name AS person, a.name, a.id FROM onward_fleet.accounts a "
            "JOIN onward_fleet.people p ON p.id = a.person_id"
        )
    }
    for box in ("work", "home"):  # Cy's one after the other: what Ada's must equal
        assert sync_account(d.fleet, ids[("cy", box)].id).outcome == "synced"
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sync(box: str) -> None:
        start.wait()
        outcomes.append(sync_account(d.fleet, ids[("ada", box)].id).outcome)

    threads = [threading.Thread(target=sync, args=(box,)) for box in ("work", "home")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["synced", "synced"]
    ada, cy = d.stored("ada"), d.stored("cy")
    assert len(ada["ids"]) == len(set(ada["ids"])) == 400
    assert len(ada["places"]) == 800
    assert ada["verdicts"] == cy["verdicts"]  # the same applications, none opened twice
