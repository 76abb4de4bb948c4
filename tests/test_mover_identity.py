"""A message found again by its Message-ID must be proven to be the one journaled (issue 12).

IMAP `SEARCH HEADER Message-ID x` matches every Message-ID that contains x, so a hit is only
a candidate: the mover fetches its header block and compares the exact Message-ID and the
stored header fingerprint, or leaves it alone and says why.
"""

from __future__ import annotations

import json
import mailbox
import re
import sqlite3
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.dovecot import Dovecot, new_user
from tests.jobmail import _msg, rejection
from tests.runner import run
from tests.test_archive import ARCHIVE, folder_digest, last_json, ok
from tests.test_imap import add_account


def interview(i: int) -> bytes:
    return _msg(
        i,
        "Interview invitation: Backend Engineer at Acme Robotics",
        "Hi Sam,\n\nThank you for applying. We would love to invite you to a first interview "
        "for the Backend Engineer role. Could you share a few times that work for you next "
        "week?\n\nBest,\nDana Whitfield\nAcme Robotics\n",
        "Dana Whitfield <dana.whitfield@acmerobotics.com>",
    ).as_bytes()


def with_message_id(raw: bytes, mid: bytes) -> bytes:
    return re.sub(rb"(?m)^Message-ID: [^\r\n]*", lambda _m: b"Message-ID: " + mid, raw, count=1)


def mid_of(raw: bytes) -> str:
    found = re.search(rb"(?m)^Message-ID: ([^\r\n]*)", raw)
    assert found
    return found.group(1).decode()


def uid_of(c: IMAPClient, folder: str, subject: str) -> int:
    c.select_folder(folder)
    found = c.search(["SUBJECT", subject])
    assert len(found) == 1
    return int(found[0])


def move_away(c: IMAPClient, subject: str, to: str = "Trash") -> None:
    """What another mail client does: the message leaves INBOX behind onward's back."""
    if not c.folder_exists(to):
        c.create_folder(to)
    c.move([uid_of(c, "INBOX", subject)], to)


def digest_all(c: IMAPClient) -> dict[str, dict[str, list[str]]]:
    """What each folder holds; an empty folder counts as no folder."""
    names = [name for _flags, _sep, name in c.list_folders()]
    found = {name: folder_digest(c, name) for name in ("INBOX", "Trash", ARCHIVE) if name in names}
    return {name: held for name, held in found.items() if held}


def test_archive_never_takes_the_interview_for_a_rejection_whose_message_id_is_a_dot(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [interview(1), with_message_id(rejection(2), b".")])
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))
    c = dovecot.client(user)
    move_away(c, "Your application")
    before = digest_all(c)

    done = ok(run("archive", home=home))

    assert "0 messages archived" in done.stdout
    assert "Left in place" in done.stdout
    assert digest_all(c) == before  # the interview is still in INBOX, nothing moved
    c.logout()


def test_archive_finds_a_rejection_moved_out_and_back_by_its_proven_message_id(
    dovecot: Dovecot, home: Path
) -> None:
    """The re-find still works for the real message: a new UID, the same header block."""
    user = new_user()
    dovecot.seed(user, [interview(1), rejection(2)])
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))
    c = dovecot.client(user)
    move_away(c, "Your application", "Elsewhere")
    c.move([uid_of(c, "Elsewhere", "Your application")], "INBOX")

    assert last_json(ok(run("archive", "--json", home=home)))["summary"]["moved"] == 1
    assert list(folder_digest(c, ARCHIVE)) == [mid_of(rejection(2))]
    c.logout()


def open_batches_without_moves(home: Path) -> int:
    q = (
        "SELECT count(*) FROM batches WHERE finished_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM moves WHERE moves.batch_id = batches.id)"
    )
    with sqlite3.connect(home / "onward.db") as conn:
        return int(conn.execute(q).fetchone()[0])


def test_a_non_ascii_message_id_moved_away_is_reported_and_archiving_goes_on(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    moved = with_message_id(rejection(2), "<résumé-2@mail.test>".encode())
    stays = with_message_id(rejection(3), "<résumé-3@mail.test>".encode())
    dovecot.seed(user, [interview(1), moved, stays])
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))
    c = dovecot.client(user)
    c.select_folder("INBOX")
    c.create_folder("Trash")
    c.move([uid_of(c, "INBOX", "at Initech")], "Trash")

    runs = [run("archive", "--json", home=home) for _ in range(2)]  # every run, not the first

    for done in runs:
        assert done.returncode == 0, done.stdout + done.stderr
    assert open_batches_without_moves(home) == 0
    first = [json.loads(ln) for ln in runs[0].stdout.splitlines()[:-1]]
    assert [r["message_id"] for r in first if "why" in r] == ["<résumé-2@mail.test>"]
    assert list(folder_digest(c, ARCHIVE)) == ["<résumé-3@mail.test>"]
    assert list(folder_digest(c, "Trash")) == ["<résumé-2@mail.test>"]
    c.logout()


@pytest.mark.parametrize("renumbered", [False, True], ids=["same-uids", "archive-renumbered"])
def test_reconcile_never_settles_a_pending_move_on_another_message_with_a_similar_message_id(
    dovecot: Dovecot, tmp_path: Path, renumbered: bool
) -> None:
    """A crash left a move pending; meanwhile another client put the message in Trash.

    In the archive sits an interview whose Message-ID contains the rejection's: the search
    finds it, and before the fix reconciling recorded it as the archived rejection (so that
    `onward undo` would then move the interview).
    """
    from onward.actions.archive import Report, reconcile
    from onward.mail.movers import Move, mover_for
    from onward.mail.parse import parse_message
    from onward.store import Store
    from onward.store.journal import Journal
    from tests.test_imap import _source

    user = new_user()
    rejected = with_message_id(rejection(2), b"r2@mail.test")
    dovecot.seed(user, [rejected])
    dovecot.seed(user, [with_message_id(interview(1), b"<ar2@mail.test>")], ARCHIVE)
    c = dovecot.client(user)
    uid = uid_of(c, "INBOX", "Your application")
    validity = int(c.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    journal = Journal(Store.for_path(tmp_path / "o.db"))
    mover = mover_for(_source(dovecot, user))
    marks = mover.prepare([ARCHIVE])
    batch = journal.open_batch("work", "archive", ARCHIVE, marks)
    fp = parse_message(rejected).fingerprint
    journal.write_pending(
        batch, [Move("r2@mail.test", "INBOX", str(uid), ARCHIVE, validity, fingerprint=fp)]
    )
    move_away(c, "Your application")
    if renumbered:
        dovecot.doveadm("mailbox", "update", "-u", user, "--uid-validity", "777", ARCHIVE)
    before = digest_all(c)

    report = Report()
    reconcile(journal, mover, report)
    mover.close()

    assert report.reconciled == {"gone": 1}
    assert journal.done_moves(batch) == [] and journal.pending_count() == 0
    assert digest_all(c) == before
    c.logout()


def test_an_archive_run_that_fails_before_moving_leaves_no_empty_open_batch(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [rejection(2)], "Applications")
    add_account(home, dovecot, user)
    ok(run("scan", "work", "--folder", "Applications", home=home))
    c = dovecot.client(user)
    c.delete_folder("Applications")  # another client: the folder is gone, SELECT fails

    for _ in range(2):
        done = run("archive", home=home)
        assert done.returncode == 1 and "Unexpected" not in done.stderr, done.stderr
    assert open_batches_without_moves(home) == 0
    c.logout()


def test_a_maildir_archive_matches_files_by_their_own_name_never_by_message_id(
    tmp_path: Path, home: Path
) -> None:
    """The Maildir mover has no Message-ID search: a rejection deleted elsewhere is just missing."""
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    md.add(interview(1))
    key = md.add(with_message_id(rejection(2), b"."))
    ok(run("scan", str(tmp_path / "Mail"), home=home))
    md.remove(key)

    done = ok(run("archive", home=home))

    assert "0 messages archived" in done.stdout
    assert [m["Subject"] for m in md] == [mailbox.MaildirMessage(interview(1))["Subject"]]


def test_an_mbox_archive_copy_keeps_two_rejections_that_share_a_message_id(
    tmp_path: Path, home: Path
) -> None:
    """The copy is deduplicated by the message's own header block, not its Message-ID alone."""
    box = tmp_path / "takeout.mbox"
    mb = mailbox.mbox(box)
    for k in (2, 3):
        mb.add(with_message_id(rejection(k), b"<same@mail.test>"))
    mb.close()
    ok(run("scan", str(box), home=home))
    copy = tmp_path / "archive.mbox"

    for _ in range(2):  # a rerun still appends nothing twice
        ok(run("archive", "--to-mbox", str(copy), home=home))

    assert sorted(m["Subject"] for m in mailbox.mbox(copy)) == sorted(
        m["Subject"] for m in mailbox.mbox(box)
    )


def test_the_journal_drops_a_batch_only_while_it_has_no_moves(db_url: str) -> None:
    from onward.mail.movers import Move
    from onward.store import Store
    from onward.store.journal import Journal

    journal = Journal(Store(db_url))
    empty = journal.open_batch("work", "archive", ARCHIVE, {})
    used = journal.open_batch("work", "archive", ARCHIVE, {})
    journal.write_pending(used, [Move("<a@mail.test>", "INBOX", "1", ARCHIVE, fingerprint="f")])

    assert journal.drop_if_empty(empty) and journal.batch(empty) is None
    assert not journal.drop_if_empty(used) and journal.batch(used) is not None
    assert [m.message_id for m, _ in journal.pending("work")] == ["<a@mail.test>"]


def test_journaled_moves_are_synced_to_disk_and_the_connection_goes_back_as_it_was(
    tmp_path: Path,
) -> None:
    """A move journaled in WAL mode at synchronous=NORMAL survives a crash of onward but not a
    power cut, after which the server's move would have no entry: the journal's commit syncs."""
    from sqlalchemy import event

    from onward.mail.movers import Move
    from onward.store import Store
    from onward.store.journal import Journal

    store = Store(f"sqlite:///{tmp_path / 'onward.db'}")
    journal = Journal(store)
    batch = journal.open_batch("work", "archive", ARCHIVE, {})
    seen: list[int] = []

    def at_insert(conn, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO MOVES"):
            raw = conn.connection.dbapi_connection
            seen.append(raw.execute("PRAGMA synchronous").fetchone()[0])

    event.listen(store.engine, "before_cursor_execute", at_insert)
    journal.write_pending(batch, [Move("<a@mail.test>", "INBOX", "1", ARCHIVE, fingerprint="f")])
    assert seen == [2]  # FULL while the entries are written
    # Every pooled connection is back at NORMAL: scans keep their speed.
    with store.engine.connect() as a, store.engine.connect() as b:
        levels = {c.exec_driver_sql("PRAGMA synchronous").scalar() for c in (a, b)}
    assert levels == {1}
    assert [m.message_id for m, _ in journal.pending("work")] == ["<a@mail.test>"]
