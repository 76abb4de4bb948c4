"""Scans running at once on threads (as a sync worker runs them, one per person) each classify
every message they store, with their own person's classifier."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select

from onward.mail.sources import open_path_source
from onward.scan import Scanner, classifier_loader
from onward.store import Store
from onward.store.schema import emails
from tests import jobmail
from tests.factory import mbox_bytes


def _taught(store: Store, tmp: Path) -> None:
    """The first person told onward that Robin's book-club mail is an interview: their
    classifier then reads all of Robin's mail so; nobody else's does."""
    seed = tmp / "seed.mbox"
    seed.write_bytes(mbox_bytes([jobmail.other(99_999)]))
    Scanner(store, workers=1).run(open_path_source(seed, "seed"))
    [row] = store.find_emails(str(1))
    store.add_correction(row, "interview")


def test_scans_on_threads_at_once_each_classify_with_their_own_persons_classifier(
    tmp_path: Path,
) -> None:
    stores = [Store.for_path(tmp_path / f"person{i}.db") for i in range(4)]
    _taught(stores[0], tmp_path)
    for i in range(4):
        messages, _ = jobmail.inbox(1200, 300, seed=i)
        (tmp_path / f"person{i}.mbox").write_bytes(mbox_bytes(messages))
    errors: list[Exception] = []

    def scan(i: int) -> None:
        try:
            scanner = Scanner(stores[i], workers=1, load_classifier=classifier_loader(stores[i]))
            threading.Event().wait(0.03 * i)  # their folders begin while the others are mid-scan
            scanner.run(open_path_source(tmp_path / f"person{i}.mbox", "mail"))
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i, store in enumerate(stores):
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(emails.c.from_addr, emails.c.kind).where(emails.c.source == "mail")
            ).all()
        assert len(rows) == 1200
        assert all(kind is not None for _, kind in rows), f"person {i}: unclassified mail"
        robin = {kind for addr, kind in rows if addr == "robin@example.net"}
        assert robin == ({"interview"} if i == 0 else {"not_job"}), f"person {i}: {robin}"
