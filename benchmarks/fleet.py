"""Fleet benchmark: many people's accounts synced by `onward worker` processes on Procrastinate,
against one PostgreSQL and one Dovecot, both started here.

    python benchmarks/fleet.py [--accounts 500] [--messages 200] [--new 2] [--workers 1 2]
                               [--concurrency 4] [--dir bench-data/fleet]

N people with one IMAP account each (a Dovecot virtual user; the static passdb lets any name
log in) and M messages each (benchmarks/mailgen.py, a seed per person: sizes, MIME structures,
charsets, attachments and about one message in ten of job mail, as measured on real
mailboxes). The Maildirs are written once (cached in --dir) and read once over IMAP before
anything is timed, so that every run meets the same warm server.

For each worker count W (a fresh database each time, the same Dovecot), W processes
`python -m onward --db URL worker --tick 1 --concurrency C` run three rounds; a round makes
every account due at once and ends when every account has synced since:

* first: every message of every account (stored exactly once: the rows are counted);
* incremental: --new messages delivered into each Maildir's new/, as delivery would;
* nothing new: one SELECT per account and no fetch.

Figures per round: accounts per minute, messages per second, p50/p95 lag from "due" to
"synced" (the fleet's own last_lag_seconds, as `onward fleet status --json` shows it), peak RSS
per worker, worker CPU per account, and the CPU shares of the workers', Dovecot's and
PostgreSQL's process trees (of the machine's cores over the round). Then PostgreSQL's rows and
bytes per person (after ANALYZE) and the ratio of W workers' accounts per minute to 1's.

Targets (issue 18): 2 workers >= 1.6x the accounts per minute of 1 (or CPU shares showing the
servers on the same cores are the limit); nothing new: <= 20 ms of worker CPU per account.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from mailgen import message  # noqa: E402
from sqlalchemy import text  # noqa: E402
from tests.dovecot import Dovecot  # noqa: E402
from tests.postgres import Postgres  # noqa: E402

from onward.fleet.providers import queue_for  # noqa: E402
from onward.fleet.worker import ensure_queue  # noqa: E402
from onward.mail.sources.imap import TEXT_PART  # noqa: E402
from onward.store.fleet import SCHEMA, Fleet  # noqa: E402

SRC = ROOT / "src"


def user(i: int) -> str:
    return f"fb{i:05d}"


# mail ------------------------------------------------------------------------------------
def write_mail(d: Path, i: int, messages: int) -> None:
    """One person's Maildir: M messages of their own (seed i), already seen (cur/)."""
    cur = d / user(i) / "Maildir" / "cur"
    if cur.is_dir() and sum(1 for _ in cur.iterdir()) == messages:
        return
    shutil.rmtree(d / user(i), ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        (d / user(i) / "Maildir" / sub).mkdir(parents=True)
    for n in range(messages):
        raw = message(n, seed=1000 + i).replace(b"\n", b"\r\n")
        (cur / f"1700000000.M{n}P{i}.bench,S={len(raw)}:2,S").write_bytes(raw)


def deliver(server: Dovecot, i: int, count: int, round_no: int) -> None:
    """New mail, as a delivery agent leaves it: files in new/ (a seed of its own)."""
    new = server.dir / "mail" / user(i) / "Maildir" / "new"
    st = new.parent.stat()
    for n in range(count):
        raw = message(100_000 * round_no + n, seed=1000 + i).replace(b"\n", b"\r\n")
        path = new / f"{time.time():.6f}.R{round_no}N{n}P{i}.bench"
        path.write_bytes(raw)
        os.chown(path, st.st_uid, st.st_gid)


def chown_tree(path: Path, uid: int, gid: int) -> None:
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for name in dirs + files:
            os.lchown(Path(root, name), uid, gid)


def warm(server: Dovecot, i: int) -> int:
    """Read the mailbox the way a sync does, so Dovecot's indexes exist before any timing."""
    c = server.client(user(i))
    try:
        c.select_folder("INBOX", readonly=True)
        uids = c.search("ALL")
        for k in range(0, len(uids), 500):
            c.fetch(uids[k : k + 500], [b"BODY.PEEK[HEADER]", TEXT_PART, b"RFC822.SIZE"])
        return len(uids)
    finally:
        c.logout()


# processes -------------------------------------------------------------------------------
def tree(pid: int) -> list[psutil.Process]:
    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_of(procs: Iterable[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            # Children already waited for (password commands, Dovecot's imap processes that
            # logged out, closed connections' backends) are in their parent's children_*.
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


@dataclass
class Meter:
    """CPU seconds of each group's process tree, and each worker's peak RSS.

    A group's CPU is its root's own time and that of the children it has waited for, plus the
    time of every descendant alive now: a Dovecot process per login, a PostgreSQL backend per
    connection and a worker's password commands each count once, whether they are still
    running or have exited and been waited for. The benchmark's own process is a group of its
    own (itself only: its children are the workers and the servers)."""

    groups: dict[str, int]
    workers: list[int]
    last: dict[str, float] = field(default_factory=dict)
    peak_rss: dict[int, int] = field(default_factory=dict)

    def sample(self) -> None:
        for name, pid in self.groups.items():
            procs = tree(pid)
            if procs:
                self.last[name] = cpu_of(procs)
        me = psutil.Process().cpu_times()
        self.last["benchmark"] = me.user + me.system
        for pid in self.workers:
            # The worker itself: a password command it forks is, until it execs, a copy
            # of the worker whose pages are the worker's own.
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), _rss(psutil.Process(pid)))

    def totals(self) -> dict[str, float]:
        return dict(self.last)


def _rss(p: psutil.Process) -> int:
    try:
        return int(p.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


# rounds ----------------------------------------------------------------------------------
@dataclass
class Round:
    name: str
    wall: float
    accounts: int
    messages: int
    lags: list[float]
    cpu: dict[str, float]
    machine: float  # CPU seconds of every process on the machine
    failures: int
    idle_rate: float = 0.0  # the workers' CPU seconds per second with nothing due

    def line(self, cores: int) -> str:
        lags = sorted(self.lags)
        p95 = lags[min(len(lags) - 1, round(0.95 * (len(lags) - 1)))] if lags else 0.0
        share = ", ".join(f"{k} {100 * v / (self.wall * cores):.0f}%" for k, v in self.cpu.items())
        other = self.machine - sum(self.cpu.values())
        return (
            f"  {self.name:12} {self.wall:7.1f} s  {60 * self.accounts / self.wall:7.0f} "
            f"accounts/min  {self.messages / self.wall:6.0f} msg/s  lag p50 "
            f"{statistics.median(lags) if lags else 0:.1f} s p95 {p95:.1f} s  worker CPU "
            f"{1000 * self.cpu['workers'] / self.accounts:.1f} ms/account ("
            f"{1000 * (self.cpu['workers'] - self.idle_rate * self.wall) / self.accounts:.1f}"
            f" net of idle)\n"
            f"  {'':12} CPU of {cores} cores: {share}, "
            f"other {100 * other / (self.wall * cores):.0f}%"
            f"; {self.failures} failures"
        )


def round_state(fleet: Fleet, since: datetime) -> tuple[int, int, list[float], int]:
    with fleet.engine.connect() as conn:
        r = conn.execute(
            text(
                f"SELECT count(*) FILTER (WHERE last_success_at >= :t) AS done, "
                f"coalesce(sum(last_new) FILTER (WHERE last_success_at >= :t), 0) AS new, "
                f"array_agg(last_lag_seconds) FILTER (WHERE last_success_at >= :t) AS lags, "
                f"coalesce(sum(failures), 0) AS failures FROM {SCHEMA}.accounts"
            ),
            {"t": since},
        ).one()
    return int(r.done), int(r.new), list(r.lags or []), int(r.failures)


def run_round(
    name: str,
    fleet: Fleet,
    meter: Meter,
    n: int,
    timeout: float,
    workers: list[subprocess.Popen[bytes]],
) -> Round:
    meter.sample()
    before, machine0 = meter.totals(), _machine_cpu()
    t0 = time.monotonic()
    since = datetime.now(UTC) - timedelta(milliseconds=1)
    with fleet.engine.begin() as conn:  # due this instant: the lag counts from here
        conn.execute(text(f"UPDATE {SCHEMA}.accounts SET next_sync_at = now()"))
    while True:
        time.sleep(0.25)
        meter.sample()
        done, new, lags, failures = round_state(fleet, since)
        if done >= n:
            break
        for w in workers:
            if w.poll() is not None:
                raise SystemExit(f"a worker exited ({w.returncode}); see its log")
        if time.monotonic() - t0 > timeout:
            raise SystemExit(f"{name}: only {done} of {n} accounts synced in {timeout:.0f} s")
    wall = time.monotonic() - t0
    after, machine1 = meter.totals(), _machine_cpu()
    cpu = {k: after[k] - before.get(k, 0.0) for k in after}
    return Round(name, wall, n, new, lags, cpu, machine1 - machine0, failures)


def _machine_cpu() -> float:
    t = psutil.cpu_times()
    return t.user + t.system + t.nice + t.irq + t.softirq


# one configuration -----------------------------------------------------------------------
def setup_people(url: str, server: Dovecot, n: int) -> None:
    with Fleet(url) as fleet:
        ensure_queue(fleet)

        def add(i: int) -> None:
            fleet.add_person(user(i))
            settings = server.account(user(i))
            fleet.add_account(user(i), "mail", settings, queue_for(settings))

        for i in range(n):  # one at a time: Alembic's migrations are not thread-safe
            add(i)
        with fleet.engine.begin() as conn:  # not due until the workers are up
            conn.execute(
                text(f"UPDATE {SCHEMA}.accounts SET next_sync_at = now() + interval '1 day'")
            )


def start_workers(
    url: str, count: int, concurrency: int, logs: Path
) -> list[subprocess.Popen[bytes]]:
    home = Path(tempfile.mkdtemp(prefix="onward-bench-fleet-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "ONWARD_HOME": str(home),
        "HOME": str(home),
    }
    procs = []
    for k in range(count):
        log = open(logs / f"worker{k}.log", "wb")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "onward",
                    "--db",
                    url,
                    "worker",
                    "--tick",
                    "1",
                    "--concurrency",
                    str(concurrency),
                    "--name",
                    f"bench{k}",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    return procs


def wait_ready(logs: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = sum(
            "worker started" in (logs / f"worker{k}.log").read_text(errors="replace")
            for k in range(count)
        )
        if ready == count:
            return
        time.sleep(0.2)
    raise SystemExit("the workers did not start within 60 s")


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def sizes(fleet: Fleet) -> tuple[int, float, float, int]:
    """People counted, rows and bytes per person (after ANALYZE), and emails stored in all."""
    with fleet.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Outside a transaction ANALYZE takes each table in its own: in one, it would hold a
        # lock on every table of every person at once (more than the lock table holds).
        conn.execute(text("ANALYZE"))
        schemas = [r[0] for r in conn.execute(text(f"SELECT schema FROM {SCHEMA}.people"))]
        stored = sum(
            int(conn.execute(text(f"SELECT count(*) FROM {s}.emails")).scalar() or 0)
            for s in schemas
        )
    rows = fleet.schema_sizes()
    return (
        len(rows),
        statistics.mean(r["rows"] for r in rows),
        statistics.mean(r["bytes"] for r in rows),
        stored,
    )


def configuration(
    pg: Postgres, server: Dovecot, args: argparse.Namespace, workers: int, concurrency: int
) -> dict[str, object]:
    n, m = args.accounts, args.messages
    url = pg.database(f"fleet_w{workers}_c{concurrency}_{int(time.time())}")
    t = time.monotonic()
    setup_people(url, server, n)
    print(f"{workers} worker(s), concurrency {concurrency}: {n} people added in "
          f"{time.monotonic() - t:.1f} s", flush=True)  # fmt: skip
    logs = Path(tempfile.mkdtemp(prefix="onward-bench-fleet-logs-"))
    procs = start_workers(url, workers, concurrency, logs)
    fleet = Fleet(url)
    try:
        wait_ready(logs, workers)
        groups = {f"worker{k}": p.pid for k, p in enumerate(procs)}
        meter = Meter(
            {**groups, "dovecot": server.proc.pid, "postgres": pg.proc.pid},  # type: ignore[union-attr]
            [p.pid for p in procs],
        )
        # What the workers use with nothing due (the queue's polling, heartbeats, the
        # fan-out every second): subtracted from each round's worker time for the net figure.
        meter.sample()
        idle0, t = meter.totals(), time.monotonic()
        time.sleep(args.idle)
        meter.sample()
        idle = sum(v - idle0[k] for k, v in meter.totals().items() if k.startswith("worker"))
        idle_rate = idle / (time.monotonic() - t)
        print(f"  workers idle: {1000 * idle_rate:.1f} ms of CPU per second in all", flush=True)
        rounds = []
        first = run_round("first", fleet, meter, n, args.timeout, procs)
        rounds.append(first)
        people, rows, size, stored = sizes(fleet)
        for i in range(n):
            deliver(server, i, args.new, 1)
        rounds.append(run_round("incremental", fleet, meter, n, args.timeout, procs))
        spies = [
            subprocess.Popen(
                [
                    args.spy,
                    "record",
                    "--gil",
                    "-p",
                    str(p.pid),
                    "-f",
                    "raw",
                    "-r",
                    "200",
                    "-o",
                    str(logs / f"worker{k}.nothing-new.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for k, p in enumerate(procs)
            if args.spy
        ]
        rounds.append(run_round("nothing new", fleet, meter, n, args.timeout, procs))
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        rss = [meter.peak_rss[p.pid] / 2**20 for p in procs]
    finally:
        stop_workers(procs)
        fleet.close()
    for r in rounds:
        r.cpu = {"workers": sum(v for k, v in r.cpu.items() if k.startswith("worker")),
                 **{k: v for k, v in r.cpu.items() if not k.startswith("worker")}}  # fmt: skip
        r.idle_rate = idle_rate
        print(r.line(psutil.cpu_count() or 1))
    dup = "" if stored == n * m else f" (expected {n * m}: LOST OR DUPLICATED)"
    print(
        f"  stored after the first sync: {stored} emails{dup}; per person: {rows:.0f} rows, "
        f"{size / 1e6:.2f} MB ({people} people); peak RSS per worker: "
        + ", ".join(f"{x:.0f} MB" for x in rss)
        + f"; logs in {logs}",
        flush=True,
    )
    return {
        "workers": workers,
        "concurrency": concurrency,
        "accounts_per_min": {r.name: 60 * r.accounts / r.wall for r in rounds},
        "rounds": [r.__dict__ | {"lags": None} for r in rounds],
        "rows_per_person": rows,
        "bytes_per_person": size,
        "stored": stored,
        "peak_rss_mb": rss,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=500, help="people, one account each")
    ap.add_argument("--messages", type=int, default=200, help="messages per account at first")
    ap.add_argument("--new", type=int, default=2, help="new messages per account, incremental")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--concurrency", type=int, nargs="+", default=[4],
                    help="syncs at once per worker; several values: each is run")  # fmt: skip
    ap.add_argument("--dir", type=Path, default=ROOT / "bench-data" / "fleet")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per round at most")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of idle workers measured")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--spy", help="py-spy's path: profile the workers in the nothing-new round")
    args = ap.parse_args()

    cores = psutil.cpu_count() or 1
    maildirs = args.dir / f"{args.accounts}x{args.messages}"
    maildirs.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    with ThreadPoolExecutor(cores) as pool:
        list(pool.map(lambda i: write_mail(maildirs, i, args.messages), range(args.accounts)))
    print(f"mail: {args.accounts} x {args.messages} messages in {maildirs} "
          f"({time.monotonic() - t:.0f} s)", flush=True)  # fmt: skip

    # Enough connections for every worker's pool and every sync's own, with room to spare.
    most = max(args.workers) * (max(args.concurrency) * 2 + 10) + 50
    pg = Postgres(f"max_connections={max(100, most)}")
    server = Dovecot()
    results = []
    try:
        # Each configuration starts from the same mail: a copy of the cached Maildirs.
        for workers in args.workers:
            for concurrency in args.concurrency:
                fresh_mail(server, maildirs)
                t = time.monotonic()
                with ThreadPoolExecutor(8) as pool:
                    total = sum(pool.map(lambda i: warm(server, i), range(args.accounts)))
                print(f"Dovecot warmed: {total} messages read in {time.monotonic() - t:.0f} s",
                      flush=True)  # fmt: skip
                results.append(configuration(pg, server, args, workers, concurrency))
    finally:
        server.cleanup()
        pg.stop()
    base = {r["concurrency"]: r["accounts_per_min"] for r in results if r["workers"] == 1}
    for r in results:
        one = base.get(r["concurrency"])
        if r["workers"] != 1 and one:
            ratios = ", ".join(
                f"{k} {v / one[k]:.2f}x"  # type: ignore[index]
                for k, v in r["accounts_per_min"].items()  # type: ignore[union-attr]
            )
            print(f"{r['workers']} workers / 1, concurrency {r['concurrency']}: {ratios} "
                  f"({cores} cores)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


def fresh_mail(server: Dovecot, maildirs: Path) -> None:
    """The cached Maildirs as the users' homes, with no index yet (the server is stopped
    meanwhile so that it holds nothing of the last configuration's)."""
    server.stop()
    mail = server.dir / "mail"
    shutil.rmtree(mail, ignore_errors=True)
    # Hard links: the same files (the same page cache), without copying gigabytes; Dovecot
    # only renames and adds files in a Maildir, never writes into one.
    shutil.copytree(maildirs, mail, copy_function=os.link)
    if os.geteuid() == 0:  # Dovecot's users are `nobody` (tests/dovecot.py)
        pw = pwd.getpwnam("nobody")
        chown_tree(mail, pw.pw_uid, pw.pw_gid)
    server.start()


if __name__ == "__main__":
    main()
