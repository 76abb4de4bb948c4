"""Dashboard benchmark: server time of every page at p50 and p95, with 10,000 applications
and 100,000 emails in the database (SQLite, the default), over repeated requests.

    python benchmarks/dashboard.py [--apps 10000] [--emails 100000] [--repeat 40]

Builds the database with bulk inserts (not timed), serves it with uvicorn on 127.0.0.1 in
this process, and reads each response's Server-Timing header (time inside the app, guards
included). The peer, in the same server and run: the static stylesheet behind the same guard,
which is the framework's floor; each page is printed as a multiple of it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.webserver import serve  # noqa: E402

from onward.config import Config, Paths  # noqa: E402
from onward.store import Store  # noqa: E402
from onward.store.schema import (  # noqa: E402
    applications,
    checkins,
    emails,
    events,
    followups,
)
from onward.tracker.state import with_spans  # noqa: E402

KINDS = ["application_received", "interview", "assessment", "rejection", "not_job", "job_alert"]
STATUSES = ["applied", "interview", "assessment", "rejected", "ghosted", "offer", "saved"]
NOW = datetime.now(UTC)
BODY = (
    "Thank you for your interest in the role and the time you invested in our process. "
    "After careful consideration we have decided to move forward with other candidates. "
) * 4


def build(store: Store, n_apps: int, n_emails: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    companies = [f"Company {i:04d}" for i in range(n_apps // 3)]
    apps, evs = [], []
    for i in range(1, n_apps + 1):
        c = rnd.choice(companies)
        applied = NOW - timedelta(days=rnd.uniform(0, 365))
        status = rnd.choice(STATUSES)
        last = applied + timedelta(days=rnd.uniform(0, 30))
        apps.append(
            {
                "id": i,
                "company": c,
                "company_key": c.lower(),
                "role": f"Role {i % 97}",
                "role_key": f"role {i % 97}",
                "status": status,
                "reached": "applied",
                "closed_stage": "applied" if status == "rejected" else "",
                "source": "email",
                "url": "",
                "note": "",
                "created_at": applied,
                "applied_at": applied,
                "first_response_at": last if status != "applied" else None,
                "closed_at": last if status == "rejected" else None,
                "last_contact_at": last,
                "updated_at": last,
            }
        )
        evs.append(
            {
                "application_id": i,
                "kind": "application_received",
                "at": applied,
                "via": "email",
                "note": "",
            }
        )
        if status == "rejected":
            evs.append(
                {"application_id": i, "kind": "rejection", "at": last, "via": "email", "note": ""}
            )
        elif status in ("interview", "offer"):
            evs.append(
                {"application_id": i, "kind": "interview", "at": last, "via": "email", "note": ""}
            )
    mails = []
    for i in range(1, n_emails + 1):
        kind = rnd.choice(KINDS)
        sent = NOW - timedelta(days=rnd.uniform(0, 365))
        mails.append(
            {
                "id": i,
                "source": "bench",
                "fingerprint": f"{i:064x}",
                "message_id": f"<{i}@bench>",
                "subject": f"Your application {i}",
                "from_name": "Recruiting",
                "from_addr": f"jobs@company{i % 3000}.example",
                "sent_at": sent,
                "body": BODY,
                "kind": kind,
                "confidence": rnd.uniform(0.3, 1.0),
                "needs_review": rnd.random() < 0.05,
                "company": rnd.choice(companies),
                "application_id": rnd.randint(1, n_apps) if kind != "not_job" else None,
                "link_state": "linked" if kind != "not_job" else "",
                "scanned_at": sent,
            }
        )
    ups = [
        {
            "email_id": rnd.randint(1, n_emails),
            "application_id": rnd.randint(1, n_apps),
            "state": "drafted",
            "to_addr": "x@example.com",
            "subject": "Re: your application",
            "created_at": NOW - timedelta(days=20),
            "remind_at": NOW - timedelta(days=6),
            "recontact_at": NOW + timedelta(days=70),
        }
        for _ in range(n_apps // 10)
    ]
    with store.engine.begin() as conn:
        conn.execute(applications.insert(), [with_spans(a) for a in apps])
        conn.execute(events.insert(), evs)
        for start in range(0, len(mails), 10_000):
            conn.execute(emails.insert(), mails[start : start + 10_000])
        conn.execute(followups.insert(), ups)
        rej = [e for e in conn.execute(events.select().where(events.c.kind == "rejection"))]
        conn.execute(
            checkins.insert(),
            [
                {
                    "event_id": e.id,
                    "application_id": e.application_id,
                    "state": "done",
                    "feeling": rnd.choice(["angry", "sad", "fine", "anxious"]),
                    "intensity": rnd.randint(1, 5),
                    "note": "",
                    "created_at": e.at,
                }
                for e in rej[: n_apps // 20]
            ],
        )


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--apps", type=int, default=10_000)
    ap.add_argument("--emails", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        store = Store.for_path(home / "onward.db")
        t0 = time.perf_counter()
        build(store, args.apps, args.emails)
        print(
            f"Built {args.apps:,} applications and {args.emails:,} emails "
            f"in {time.perf_counter() - t0:.1f} s (not timed below)."
        )
        config = Config(Paths(home, home), {})
        pages = [
            "/static/onward.css",
            "/",
            "/review",
            "/applications",
            "/applications?sort=company&desc=0",
            "/applications?q=role+42&status=rejected",
            f"/applications/{args.apps // 2}",
            f"/emails/{args.emails // 2}",
            "/insights",
            "/followups",
            "/checkin",
            "/api/status",
            "/api/applications",
            "/api/review",
        ]
        with serve(config, store) as live:
            bearer = {"Authorization": f"Bearer {live.secrets.token}"}
            with httpx.Client(base_url=live.url, headers=bearer, timeout=60) as client:
                results = {}
                for path in pages:
                    for _ in range(3):  # warm caches and the SQLite page cache
                        client.get(path)
                    server, wall = [], []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        r = client.get(path)
                        wall.append((time.perf_counter() - t) * 1000)
                        assert r.status_code == 200, (path, r.status_code)
                        server.append(float(r.headers["server-timing"].split("dur=")[1]))
                    results[path] = (pct(server, 50), pct(server, 95), pct(wall, 95))
        floor = results["/static/onward.css"][1]
        print(f"\n{'page':44} {'p50 ms':>8} {'p95 ms':>8} {'wall p95':>9} {'x floor':>8}")
        for path, (p50, p95, w95) in results.items():
            flag = "" if p95 < 100 else "  OVER 100 ms"
            print(f"{path:44} {p50:8.1f} {p95:8.1f} {w95:9.1f} {p95 / floor:8.1f}{flag}")
        worst = max(v[1] for k, v in results.items() if k != "/static/onward.css")
        print(
            f"\nSlowest page p95: {worst:.1f} ms (target < 100 ms); "
            f"floor (static file, same guard): {floor:.2f} ms."
        )


if __name__ == "__main__":
    main()
