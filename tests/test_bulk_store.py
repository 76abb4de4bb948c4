"""The scan's batched writer stores exactly the rows SQLAlchemy's own insert stores, on SQLite and
PostgreSQL, with its checkpoint in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from onward.classify.service import classifier_for
from onward.mail.model import Locator, RawMessage
from onward.mail.parse import parse_message
from onward.store import Store
from onward.store.db import email_row
from onward.store.schema import emails, folder_state, locations
from tests.factory import message


def _batch(n: int, with_verdicts: bool) -> list[tuple[RawMessage, Any, int, Any]]:
    raws = [
        message(i, html=i % 3 == 0, attachment=500 * (i % 2), charset="iso-8859-1")
        for i in range(n)
    ]
    raws.append(b"Subject: no date, no sender, no id\n\n\xe9t\xe9")
    parsed = [parse_message(r) for r in raws]
    verdicts: list[Any] = (
        classifier_for(None).classify_many(parsed) if with_verdicts else [None] * len(parsed)
    )
    return [
        (RawMessage(Locator("acct", "INBOX", str(i), 7), r, len(r)), e, len(r), v)
        for i, (r, e, v) in enumerate(zip(raws, parsed, verdicts, strict=True))
    ]


def _rows(conn: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Emails and locations as stored, ids left out (sequences do not roll back)."""
    stored = [dict(r._mapping) for r in conn.execute(select(emails).order_by(emails.c.id))]
    fingerprint = {row["id"]: row["fingerprint"] for row in stored}
    for row in stored:
        del row["id"], row["scanned_at"]
    places = [dict(r._mapping) for r in conn.execute(select(locations).order_by(locations.c.id))]
    for place in places:
        place["email_id"] = fingerprint[place.pop("email_id")]
        del place["id"]
    return stored, places


def _reference(store: Store, items: list[tuple[RawMessage, Any, int, Any]]) -> Any:
    """What SQLAlchemy's own executemany stores for the batch (rolled back after reading)."""
    now = datetime.now(UTC)
    with store.engine.connect() as conn, conn.begin() as tx:
        conn.execute(
            emails.insert(), [email_row("acct", e, size, now, v) for _, e, size, v in items]
        )
        ids = dict(conn.execute(select(emails.c.fingerprint, emails.c.id)).all())
        conn.execute(
            locations.insert(),
            [
                {
                    "email_id": ids[e.fingerprint],
                    "source": "acct",
                    "folder": raw.locator.folder,
                    "uidvalidity": raw.locator.uidvalidity,
                    "key": raw.locator.key,
                }
                for raw, e, _, _ in items
            ],
        )
        rows = _rows(conn)
        tx.rollback()
    return rows


@pytest.mark.parametrize("with_verdicts", [True, False])
def test_batched_rows_are_the_rows_sqlalchemy_stores(db_url: str, with_verdicts: bool) -> None:
    items = _batch(12, with_verdicts)
    store = Store(db_url)
    reference = _reference(store, items)
    store.write_batch("acct", items, [("INBOX", {"uidnext": 13})])
    with store.engine.connect() as conn:
        assert _rows(conn) == reference
        sent = conn.execute(select(emails.c.sent_at).where(emails.c.sent_at.is_not(None)))
        assert all(isinstance(v, datetime) for (v,) in sent)
    assert len(reference[0]) == 13 and len(reference[1]) == 13
    assert store.folder_state("acct", "INBOX") == {"uidnext": 13}


def test_a_refused_batch_leaves_neither_rows_nor_checkpoint(db_url: str) -> None:
    """The checkpoint shares the batch's transaction: when the database fails mid-batch
    nothing of it is stored, so the next scan reads the batch again."""
    store = Store(db_url)
    items = _batch(5, False)
    with store.engine.begin() as conn:  # a table the batch cannot write to
        conn.execute(text("DROP TABLE locations"))
    with pytest.raises(Exception):  # noqa: B017 (any database error: the kind is the driver's)
        store.write_batch("acct", items, [("INBOX", {"uidnext": 6})])
    with store.engine.connect() as conn:
        assert conn.execute(select(emails.c.id)).all() == []
        assert conn.execute(select(folder_state.c.state)).all() == []


def test_two_stores_of_one_process_share_the_compiled_insert_and_each_writes_its_own_rows(
    tmp_path: Path,
) -> None:
    """A fleet worker opens a Store for every sync, and most store nothing: the batched insert
    is compiled once per process, on first use, not once per Store."""
    a = Store.for_path(tmp_path / "a.db")
    b = Store.for_path(tmp_path / "b.db")
    try:
        assert a._bulk_emails is b._bulk_emails
        batch = _batch(3, with_verdicts=False)
        assert a.write_batch("acct", batch).new == 4
        assert b.write_batch("acct", batch[:2]).new == 2
        assert (a.count_emails(), b.count_emails()) == (4, 2)
    finally:
        a.close()
        b.close()
