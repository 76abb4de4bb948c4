"""One fleet sync with nothing new, in this process: `onward.fleet.sync.sync_account` alone,
without the queue, to see where a worker's time per account goes.

    python benchmarks/fleet_sync.py [-n 100] [--messages 20] [--reps 3] [--profile]

Starts its own PostgreSQL and Dovecot, adds n people with one account of --messages messages
each, syncs them all once, then --reps times more with nothing new: the CPU time of this
process (the password command's excepted) and the wall time per account. --profile adds a
cProfile of one more round, on CPU time, by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from mailgen import message  # noqa: E402
from tests.dovecot import Dovecot  # noqa: E402
from tests.postgres import Postgres  # noqa: E402

from onward.fleet.providers import queue_for  # noqa: E402
from onward.fleet.sync import sync_account  # noqa: E402
from onward.fleet.worker import ensure_queue  # noqa: E402
from onward.store.fleet import Fleet  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=100, help="people, one account each")
    ap.add_argument("--messages", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    pg, server = Postgres(), Dovecot()
    server.start()
    try:
        fleet = Fleet(pg.database("sync"))
        ensure_queue(fleet)
        ids = []
        for i in range(args.n):
            user = f"s{i:05d}"
            server.seed(user, [message(k, seed=i) for k in range(args.messages)])
            fleet.add_person(user)
            settings = server.account(user)
            ids.append(fleet.add_account(user, "mail", settings, queue_for(settings)))
        for account in ids:
            sync_account(fleet, account)
        for _ in range(args.reps):
            cpu, wall = time.process_time(), time.perf_counter()
            for account in ids:
                sync_account(fleet, account)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"nothing new: {1000 * cpu / args.n:.1f} ms of CPU and "
                f"{1000 * wall / args.n:.1f} ms of wall time per account"
            )
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for account in ids:
                sync_account(fleet, account)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        fleet.close()
    finally:
        server.cleanup()
        pg.stop()


if __name__ == "__main__":
    main()
