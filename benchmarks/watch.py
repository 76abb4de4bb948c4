"""Watch benchmark: `onward watch` (a subprocess, three IMAP accounts) on a local Dovecot.

    python benchmarks/watch.py [-n 50] [--idle 60] [--away 10]

* latency: APPEND of a rejection to the watch's "Notified:" line (stored, classified, linked,
  notice sent), one message at a time, n messages; p50, p95, max.
* catch-up: the server is stopped, `--away` messages are delivered into the Maildir while it is
  down, the server starts again; the time from it accepting logins to the watch having stored
  them all (default backoff settings).
* idle: CPU of the watch process over `--idle` seconds with nothing arriving (percent of one
  core), and its resident memory with three accounts in IDLE.

Targets (issue 17): p95 <= 2 s; catch-up <= 10 s; idle <= 1% of a core; RSS <= 80 MB.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402
from tests.dovecot import PASSWORD, Dovecot, new_user  # noqa: E402
from tests.runner import run  # noqa: E402
from tests.watching import Watch, job_mail  # noqa: E402


def add(home: Path, server: Dovecot, name: str, user: str) -> None:
    done = run(
        "account", "add", name, "--imap", f"127.0.0.1:{server.port}", "--user", user,
        "--starttls", "--ca-file", server.cafile, "--password-command", f"echo {PASSWORD}",
        home=home,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def stored(home: Path) -> int:
    with sqlite3.connect(home / "onward.db") as conn:
        return int(conn.execute("SELECT count(*) FROM emails").fetchone()[0])


def deliver_offline(server: Dovecot, user: str, raws: list[bytes]) -> None:
    """Mail that arrives while the server is down: files in the Maildir's new/."""
    new = server.dir / "mail" / user / "Maildir" / "new"
    st = new.parent.stat()
    for raw in raws:
        path = new / f"{time.time():.6f}.{uuid.uuid4().hex}.bench"
        path.write_bytes(raw.replace(b"\n", b"\r\n") if b"\r\n" not in raw else raw)
        os.chown(path, st.st_uid, st.st_gid)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--away", type=int, default=10)
    args = ap.parse_args()
    server = Dovecot()
    server.start()
    home = Path(tempfile.mkdtemp(prefix="onward-bench-watch-")) / "home"
    users = [new_user() for _ in range(3)]
    for i, user in enumerate(users):
        add(home, server, f"acct{i}", user)
    with open(home / "config.toml", "a") as f:
        f.write('\n[watch]\nnotify = false\nquiet_hours = ""\n')
    w = Watch(home)
    try:
        for _ in users:
            w.wait_for(r"waiting for mail in INBOX \(IDLE\)", timeout=60)
        proc = psutil.Process(w.proc.pid)
        c = server.client(users[0])
        lat = []
        for i in range(args.n):
            raw = job_mail(n=i + 1)
            t = time.perf_counter()
            c.append("INBOX", raw)
            w.wait_for(r"Notified: A reply from Kestrel Labs", timeout=90)
            lat.append(time.perf_counter() - t)
        c.logout()
        print(
            f"latency APPEND -> stored verdict + notice, {args.n} messages: "
            f"p50 {statistics.median(lat):.3f} s, p95 {pct(lat, 0.95):.3f} s, max {max(lat):.3f} s"
        )

        time.sleep(2)
        cpu0, t0 = proc.cpu_times(), time.monotonic()
        time.sleep(args.idle)
        cpu1, t1 = proc.cpu_times(), time.monotonic()
        used = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        rss = proc.memory_info().rss / 2**20
        print(
            f"idle: {100 * used / (t1 - t0):.3f}% of one core over {t1 - t0:.0f} s; "
            f"RSS {rss:.1f} MB with 3 accounts in IDLE"
        )

        before = stored(home)
        server.stop()
        w.wait_for(r"acct0: .*Trying again in", timeout=30)
        deliver_offline(
            server, users[0], [job_mail("Initech", n=100 + i) for i in range(args.away)]
        )
        time.sleep(3)  # away for a while: the backoff has grown
        server.start()  # returns once the server greets, i.e. accepts logins
        t = time.perf_counter()
        while stored(home) < before + args.away:
            if time.perf_counter() - t > 120:
                raise SystemExit("the watch did not catch up within 120 s")
            time.sleep(0.02)
        print(
            f"catch-up: {args.away} messages delivered while the server was down, all stored "
            f"{time.perf_counter() - t:.2f} s after it accepted logins again "
            f"({stored(home) - before} new, none twice)"
        )
    finally:
        w.stop()
        server.cleanup()


if __name__ == "__main__":
    main()
