"""Archive and undo against a real Dovecot, a Maildir and an mbox export."""

from __future__ import annotations

import hashlib
import json
import mailbox
import subprocess
from pathlib import Path

import pytest  # noqa: F401
from imapclient import IMAPClient

from tests.dovecot import Dovecot, new_user
from tests.jobmail import inbox, other, rejection
from tests.runner import run
from tests.test_imap import add_account

ARCHIVE = "Job search/Rejections"


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def last_json(done: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(done.stdout.strip().splitlines()[-1])


def folder_digest(c: IMAPClient, folder: str) -> dict[str, list[str]]:
    """Message-ID -> sha256 of each raw copy in the folder."""
    c.select_folder(folder, readonly=True)
    uids = c.search("ALL")
    out: dict[str, list[str]] = {}
    for i in range(0, len(uids), 200):
        for data in c.fetch(uids[i : i + 200], [b"BODY.PEEK[]"]).values():
            raw = data[b"BODY[]"]
            mid = next(
                ln.split(b":", 1)[1].strip().decode()
                for ln in raw.split(b"\r\n")
                if ln.lower().startswith(b"message-id:")
            )
            out.setdefault(mid, []).append(hashlib.sha256(raw).hexdigest())
    return out


def test_archive_moves_rejections_and_undo_restores_them(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    messages, picks = inbox(40, 10, seed=3)
    dovecot.seed(user, messages)
    c = dovecot.client(user)
    before = folder_digest(c, "INBOX")
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))

    plan = ok(run("archive", "--dry-run", "--json", home=home))
    rows = [json.loads(ln) for ln in plan.stdout.splitlines()[:-1]]
    assert len(rows) == 10 and all(r["action"] == "would_move" for r in rows)
    assert len(folder_digest(c, "INBOX")) == 40  # a dry run moves nothing

    done = ok(run("archive", "--json", home=home))
    summary = last_json(done)["summary"]
    assert summary["moved"] == 10
    assert summary["commands"].get("UID MOVE", 0) == 1  # the 10 UIDs go in one command
    assert "EXPUNGE" not in summary["commands"]
    inbox_now, archived = folder_digest(c, "INBOX"), folder_digest(c, ARCHIVE)
    assert len(inbox_now) == 30 and len(archived) == 10
    assert {**inbox_now, **archived} == before  # the same bytes, each in one place

    assert last_json(ok(run("archive", "--json", home=home)))["summary"]["moved"] == 0
    ok(run("undo", home=home))
    assert folder_digest(c, "INBOX") == before
    assert folder_digest(c, ARCHIVE) == {}
    # Undone is the person's decision: the next run leaves those messages alone.
    assert last_json(ok(run("archive", "--json", home=home)))["summary"]["moved"] == 0
    c.logout()


def test_archive_a_maildir_by_rename_and_undo(tmp_path: Path, home: Path) -> None:
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(6):
        md.add(rejection(i) if i % 2 else other(i))
    ok(run("scan", str(tmp_path / "Mail"), home=home))
    done = ok(run("archive", home=home))
    assert "3 messages archived" in done.stdout
    archived = mailbox.Maildir(tmp_path / "Mail" / ".Job search.Rejections", create=False)
    assert len(archived) == 3 and len(md) == 3
    ok(run("undo", home=home))
    assert len(md) == 6 and len(archived) == 0


def test_an_mbox_export_is_never_modified(tmp_path: Path, home: Path) -> None:
    box = tmp_path / "takeout.mbox"
    mb = mailbox.mbox(box)
    for i in range(6):
        mb.add(rejection(i) if i % 2 else other(i))
    mb.close()
    original = box.read_bytes()
    ok(run("scan", str(box), home=home))
    copy = tmp_path / "archive.mbox"
    done = ok(run("archive", "--to-mbox", str(copy), "--json", home=home))
    assert last_json(done)["summary"]["moved"] == 3
    assert box.read_bytes() == original
    assert len(mailbox.mbox(copy)) == 3
    # A rerun (or a crash and a rerun) never appends twice.
    ok(run("archive", "--to-mbox", str(copy), home=home))
    assert len(mailbox.mbox(copy)) == 3


def test_reconcile_removes_a_left_behind_copy_only_when_identical(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """The state a MOVE cut by a crash leaves: copies in both folders, the journal pending."""
    from onward.actions.archive import Report, reconcile
    from onward.mail.movers import Move, mover_for
    from onward.store import Store
    from onward.store.journal import Journal
    from tests.test_imap import _source

    user = new_user()
    dovecot.seed(user, [rejection(i) for i in range(4)])
    c = dovecot.client(user)
    c.create_folder(ARCHIVE)
    before = folder_digest(c, "INBOX")
    c.select_folder("INBOX")
    uids = sorted(c.search("ALL"))
    mids = {u: d[b"ENVELOPE"].message_id.decode() for u, d in c.fetch(uids, ["ENVELOPE"]).items()}
    validity = int(c.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    journal = Journal(Store.for_path(tmp_path / "o.db"))
    mover = mover_for(_source(dovecot, user))
    marks = mover.prepare([ARCHIVE])
    batch = journal.open_batch("work", "archive", ARCHIVE, marks)
    todo = [Move(mids[u], "INBOX", str(u), ARCHIVE, validity) for u in uids]
    journal.write_pending(batch, todo)
    # The crash: three copied but not expunged; the fourth's Message-ID sits in the archive
    # on a different message, which must never be taken for it.
    c.copy(uids[:3], ARCHIVE)
    impostor = (
        rejection(99)
        .replace(b"<inbox-99-", b"<X-")
        .replace(b"Message-ID: <X-", b"Message-ID: " + mids[uids[3]].encode() + b"\r\nX-Was: <X-")
    )
    c.append(ARCHIVE, impostor)

    report = Report()
    reconcile(journal, mover, report)
    mover.close()
    assert report.reconciled == {"done": 3, "conflict": 1}
    now_inbox, archived = folder_digest(c, "INBOX"), folder_digest(c, ARCHIVE)
    assert list(now_inbox) == [mids[uids[3]]]  # only the one whose archive copy differs
    assert now_inbox[mids[uids[3]]] == before[mids[uids[3]]]
    assert all(archived[mids[u]] == before[mids[u]] for u in uids[:3])
    assert journal.pending_count() == 0
    c.logout()


def test_journal_archive_and_undo_on_each_database(db_url: str, tmp_path: Path) -> None:
    """The journal, batches and location bookkeeping on SQLite and PostgreSQL alike."""
    from onward.actions.archive import ArchiveOptions, archive, undo
    from onward.classify.service import classifier_for
    from onward.mail.movers import mover_for
    from onward.mail.sources import open_path_source
    from onward.scan import Scanner
    from onward.store import Store
    from onward.store.journal import Journal

    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(8):
        md.add(rejection(i) if i % 2 else other(i))
    store = Store(db_url)
    source = open_path_source(tmp_path / "Mail", "mine")
    Scanner(store, classifier=classifier_for(store)).run(source)
    journal = Journal(store)
    make = lambda _name: mover_for(open_path_source(tmp_path / "Mail", "mine"))  # noqa: E731
    report = archive(journal, make, ArchiveOptions())
    assert len(report.moved) == 4 and len(md) == 4
    assert [b["done"] for b in journal.batches()] == [4]
    assert journal.last_undoable() == report.batches[0]
    back = undo(journal, make, None)
    assert len(back.moved) == 4 and len(md) == 8
    assert journal.last_undoable() is None and journal.pending_count() == 0
    assert store.known_keys("mine", "INBOX") == {k for k, _ in source.list_files("INBOX")}


def test_a_dry_run_lists_exactly_what_the_real_run_then_moves(dovecot: Dovecot, home: Path) -> None:
    """After the scan, the person's mail client moved one rejection to Trash, and another has
    no Message-ID: the dry run says it leaves both, and why, as the real run then does."""
    user = new_user()
    messages, picks = inbox(20, 5, seed=7)
    no_id = b"".join(ln for ln in rejection(40).splitlines(True) if b"Message-ID" not in ln)
    dovecot.seed(user, [*messages, no_id])
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))
    c = dovecot.client(user)
    c.create_folder("Trash")
    c.select_folder("INBOX")
    [gone] = c.search(["SUBJECT", "Your application", "HEADER", "Message-ID", "inbox-"])[:1]
    c.move([gone], "Trash")

    plan = ok(run("archive", "--dry-run", "--json", home=home))
    rows = [json.loads(ln) for ln in plan.stdout.splitlines()[:-1]]
    would_move = {r["message_id"] for r in rows if r["action"] == "would_move"}
    would_skip = sorted(r["why"] for r in rows if r["action"] == "would_skip")
    assert len(would_move) == 4 and len(would_skip) == 2
    c.select_folder("INBOX", readonly=True)
    assert len(c.search("ALL")) == 20 and not c.folder_exists(ARCHIVE)  # a plan writes nothing

    done = ok(run("archive", "--json", home=home))
    entries = [json.loads(ln) for ln in done.stdout.splitlines()[:-1]]
    assert {e["message_id"] for e in entries if e.get("state") == "done"} == would_move
    assert sorted(e["why"] for e in entries if "why" in e) == would_skip
    c.logout()


def test_a_dry_run_reports_moves_left_pending_and_leaves_them_for_the_real_run(
    tmp_path: Path,
) -> None:
    """Reconciling writes (it removes copies left behind, marks mail archived), so a dry run
    only says which messages an interrupted run left pending; the real run settles them."""
    from onward.actions.archive import ArchiveOptions, archive
    from onward.classify.service import classifier_for
    from onward.mail.movers import mover_for
    from onward.mail.sources import open_path_source
    from onward.scan import Scanner
    from onward.store import Store
    from onward.store.journal import Journal

    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(8):
        md.add(rejection(i) if i % 2 else other(i))
    store = Store.for_path(tmp_path / "o.db")
    Scanner(store, classifier=classifier_for(store)).run(open_path_source(tmp_path / "Mail", "m"))
    journal = Journal(store)
    make = lambda _name: mover_for(open_path_source(tmp_path / "Mail", "m"))  # noqa: E731
    # An interrupted run: two moves journaled, the crash before either was made.
    crashed = make("m")
    [plan] = archive(journal, make, ArchiveOptions(dry_run=True)).plans
    batch = journal.open_batch("m", "archive", plan.folder, crashed.prepare([plan.folder]))
    journal.write_pending(batch, [p.move for p in plan.moves[:2]])

    [plan] = archive(journal, make, ArchiveOptions(dry_run=True)).plans
    assert plan.pending == 2 and len(plan.unsettled) == 2 and len(plan.moves) == 2
    assert journal.pending_count() == 2 and len(md) == 8  # nothing settled, nothing moved

    report = archive(journal, make, ArchiveOptions())
    assert report.reconciled == {"aborted": 2} and journal.pending_count() == 0
    assert {m["message_id"] for m in report.moved} == {r["message_id"] for r in plan.unsettled} | {
        p.move.message_id for p in plan.moves
    }
    assert len(md) == 4
