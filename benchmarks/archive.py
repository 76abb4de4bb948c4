"""Archive benchmark: onward archive and undo of N rejections on a local Dovecot, against a
peer run in the same script: the per-message loop simple mail scripts use (one UID MOVE per
message, as imap-tools' `move()` does when handed one UID at a time).

    python benchmarks/archive.py [-n 5000]

Seeds N rejections into two fresh mailboxes, scans one with onward (not timed), then times
`archive()` and `undo()` through the Python API (journal included) and the peer loop on the
other. Prints messages per second, IMAP commands per message and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.dovecot import Dovecot, new_user  # noqa: E402
from tests.jobmail import rejection  # noqa: E402

from onward.accounts import account_source  # noqa: E402
from onward.actions.archive import ArchiveOptions, archive, undo  # noqa: E402
from onward.mail.movers import mover_for  # noqa: E402
from onward.scan import Scanner  # noqa: E402
from onward.store import Store  # noqa: E402
from onward.store.journal import Journal  # noqa: E402

FOLDER = "Job search/Rejections"


def source(server: Dovecot, user: str):  # noqa: ANN201
    return account_source("work", server.account(user))[0]


def peer(server: Dovecot, user: str) -> tuple[float, int]:
    c = server.client(user)
    c.create_folder(FOLDER)
    c.select_folder("INBOX")
    uids = c.search("ALL")
    t = time.perf_counter()
    for uid in uids:
        c.move([uid], FOLDER)
    wall = time.perf_counter() - t
    c.logout()
    return wall, len(uids) + 3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5000)
    n = ap.parse_args().n
    server = Dovecot()
    server.start()
    try:
        mine, theirs = new_user(), new_user()
        msgs = [rejection(i) for i in range(n)]
        server.seed(mine, msgs)
        server.seed(theirs, msgs)
        store = Store.for_path(Path(tempfile.mkdtemp()) / "bench.db")
        from onward.classify.service import classifier_for

        Scanner(store, classifier=classifier_for(store)).run(source(server, mine))  # not timed
        journal = Journal(store)
        make = lambda _name: mover_for(source(server, mine))  # noqa: E731

        t = time.perf_counter()
        report = archive(journal, make, ArchiveOptions(folder=FOLDER))
        a_wall = time.perf_counter() - t
        t = time.perf_counter()
        back = undo(journal, make, None)
        u_wall = time.perf_counter() - t
        p_wall, p_cmds = peer(server, theirs)
        a_cmds, u_cmds = sum(report.commands.values()), sum(back.commands.values())
        assert len(report.moved) == n == len(back.moved), (len(report.moved), len(back.moved))
        print(f"{n:,} rejections on Dovecot {server.port} (loopback)")
        print(f"{'':28}{'s':>8}{'msg/s':>10}{'commands':>10}{'cmd/msg':>9}")
        for label, wall, cmds in (
            ("onward archive (journaled)", a_wall, a_cmds),
            ("onward undo (journaled)", u_wall, u_cmds),
            ("peer: one UID MOVE per msg", p_wall, p_cmds),
        ):
            print(f"{label:28}{wall:8.2f}{n / wall:10,.0f}{cmds:10,}{cmds / n:9.4f}")
        print(
            f"onward archive vs peer: {p_wall / a_wall:.1f}x faster, "
            f"{p_cmds / a_cmds:.0f}x fewer commands"
        )
        print("commands:", dict(report.commands))
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
