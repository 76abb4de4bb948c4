"""Status benchmark: `onward status` figures with 10,000 applications and 100,000 emails.

    python benchmarks/status.py [--apps 10000] [--emails 100000] [--db URL]

Fills a fresh database (SQLite in a temporary folder unless --db is given) with
applications, their events and linked emails, then times the work `onward status` does
(refresh ghosting, read applications, compute figures and nudges) over repeated runs,
and the whole command as a subprocess, start-up included, as the person would feel it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from onward.store import Store
from onward.store.schema import applications, emails, events
from onward.store.snapshot import snapshot
from onward.tracker import insights
from onward.tracker.repo import Tracker

STATUSES = ["applied"] * 5 + [
    "interview",
    "assessment",
    "rejected",
    "rejected",
    "ghosted",
    "saved",
    "offer",
]


def fill(store: Store, n_apps: int, n_emails: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    companies = [f"Company {i}" for i in range(n_apps // 3)]
    with store.engine.begin() as conn:
        app_rows, ev_rows = [], []
        for i in range(1, n_apps + 1):
            applied = now - timedelta(days=rng.uniform(0, 365))
            status = rng.choice(STATUSES)
            company = rng.choice(companies)
            app_rows.append(
                {
                    "id": i,
                    "company": company,
                    "company_key": company.lower().replace(" ", ""),
                    "role": f"Role {i % 50}",
                    "role_key": f"role {i % 50}",
                    "status": status,
                    "reached": "interview" if status == "interview" else "applied",
                    "closed_stage": "applied" if status == "rejected" else "",
                    "source": "bench",
                    "url": "",
                    "note": "",
                    "created_at": applied,
                    "applied_at": applied,
                    "first_response_at": applied + timedelta(days=5) if i % 2 else None,
                    "closed_at": applied + timedelta(days=12) if status == "rejected" else None,
                    "last_contact_at": applied + timedelta(days=5),
                    "updated_at": applied,
                }
            )
            ev_rows.append(
                {
                    "application_id": i,
                    "kind": "application_received",
                    "at": applied,
                    "via": "email",
                    "note": "",
                }
            )
        conn.execute(applications.insert(), app_rows)
        conn.execute(events.insert(), ev_rows)
        batch = []
        for j in range(n_emails):
            batch.append(
                {
                    "source": "bench",
                    "fingerprint": f"{j:032x}",
                    "message_id": f"<{j}@b>",
                    "subject": "x",
                    "kind": "not_job" if j % 5 else "application_received",
                    "application_id": (j % n_apps) + 1 if j % 5 == 0 else None,
                    "link_state": "linked" if j % 5 == 0 else "",
                    "sent_at": now - timedelta(minutes=j),
                }
            )
            if len(batch) == 5000:
                conn.execute(emails.insert(), batch)
                batch = []
        if batch:
            conn.execute(emails.insert(), batch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--apps", type=int, default=10_000)
    ap.add_argument("--emails", type=int, default=100_000)
    ap.add_argument("--db")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        url = args.db or f"sqlite:///{home}/onward.db"
        store = Store(url)
        t = time.perf_counter()
        fill(store, args.apps, args.emails)
        print(
            f"filled {args.apps} applications and {args.emails} emails in "
            f"{time.perf_counter() - t:.1f} s ({url.split(':')[0]})"
        )
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            tracker = Tracker(store)
            tracker.refresh_all()
            figures = insights.figures(snapshot(store, tracker.now), tracker.now, 5)
            figures["links_to_review"] = len(tracker.review_links())
            times.append(time.perf_counter() - t)
        times.sort()
        print(
            f"status work, {args.repeat} runs: median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms, "
            f"max {times[-1] * 1000:.0f} ms"
        )
        cmd = [sys.executable, "-m", "onward", "--db", url, "status", "--json"]
        walls = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run(
                cmd,
                check=True,
                capture_output=True,
                env={"ONWARD_HOME": home, "PATH": "/usr/bin:/bin"},
            )
            walls.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "onward", "--help"],
            check=True,
            capture_output=True,
            env={"ONWARD_HOME": home, "PATH": "/usr/bin:/bin"},
        )
        base = time.perf_counter() - t
        print(
            f"`onward status --json` as a command: median {statistics.median(walls) * 1000:.0f} ms "
            f"wall, of which {base * 1000:.0f} ms is Python start-up and imports "
            f"(`onward --help`)"
        )
        print(f"active: {figures['active']}, nudges: {len(figures['nudges'])}")


if __name__ == "__main__":
    main()
