"""Property: whatever the Message-IDs and whatever another client moved, archive and undo
move only journaled messages, each exactly once (issue 12).

Against the real Dovecot: every example gets a fresh user (one server for the session),
a fresh SQLite store, a handful of rejections and interviews whose Message-IDs hypothesis
picks (empty, missing, duplicated, substrings of each other, non-ASCII, control characters,
IMAP syntax), and a fate for each message: left alone, moved to Trash, or moved out and back
(a new UID). Then the same for the archived copies before `undo`.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from imapclient import IMAPClient

from onward.mail.movers.imap import search_problem
from tests.dovecot import Dovecot, new_user
from tests.jobmail import rejection
from tests.test_archive import ARCHIVE
from tests.test_mover_identity import interview

FOLDERS = ("INBOX", ARCHIVE, "Trash", "Elsewhere")
CASE = re.compile(rb"(?m)^X-Case: (\d+)")
FATES = ("stay", "stay", "trash", "back")  # most messages stay where they are

# Message-IDs: the common shapes, and the hostile ones; "{k}" is the message's own number.
SHAPES = (
    "<inbox-{k}@mail.test>",
    "<inbox-{k}@mail.test>",
    "<inbox-1@mail.test>",  # duplicated across messages
    "<inbox-1@mail.test",  # a substring of the one above
    "inbox-1@mail.test",
    "<inbox-{k}@mail.test> trailing",
    ".",
    "@",
    "<>",
    "<a@b>",
    "",
    None,  # no Message-ID header at all
    "<résumé-{k}@mail.test>",
    "<résumé-1@mail.test>",
    "<ü{k}@例え.jp>",
    "<ctl\x01\x1b-{k}@mail.test>",
    "<bell\x07\x7f@mail.test>",
    "<tab\t{k}@mail.test>",
    '<q"uote\\{k}@mail.test>',
    "<paren(s)*%-{k}@mail.test>",
    "<lit-{k}@mail.test{5}",
    "<br]{k}@mail.test>",
)
mids = st.one_of(
    st.sampled_from(SHAPES),
    st.text(alphabet=st.sampled_from('<>@.-a1é"\\(){}*%] \x01\x1b'), min_size=0, max_size=12),
)


@dataclass
class Case:
    rejection: bool
    mid: str | None
    fate: str  # before archive: stay | trash | back
    later: str  # after archive, for an archived copy: stay | trash | back


cases = st.lists(
    st.builds(
        Case,
        rejection=st.booleans(),
        mid=mids,
        fate=st.sampled_from(FATES),
        later=st.sampled_from(FATES),
    ),
    min_size=1,
    max_size=7,
)


def build(k: int, case: Case) -> bytes:
    raw = rejection(k) if case.rejection else interview(k)
    raw = raw.replace(b"\nMIME-Version", f"\nX-Case: {k}\nMIME-Version".encode(), 1)
    value = b"" if case.mid is None else b"Message-ID: " + case.mid.replace("{k}", str(k)).encode()
    line = value + b"\n" if value else b""
    return re.sub(rb"(?m)^Message-ID: [^\r\n]*\n", lambda _m: line, raw, count=1)


Where = dict[str, list[tuple[int, str]]]  # folder -> [(case number, sha256 of the bytes)]


def where(c: IMAPClient) -> Where:
    out: Where = {}
    for folder in FOLDERS:
        if not c.folder_exists(folder):
            continue
        c.select_folder(folder, readonly=True)
        uids = c.search("ALL")
        held = []
        for data in (c.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}).values():
            raw = data[b"BODY[]"]
            k = CASE.search(raw)
            assert k is not None
            held.append((int(k.group(1)), hashlib.sha256(raw).hexdigest()))
        if held:
            out[folder] = sorted(held)
    return out


def findable(stored: str, case: Case, k: int) -> bool:
    """Whether a search can find it again: a searchable Message-ID that is in its header as is."""
    raw = (case.mid or "").replace("{k}", str(k))
    return bool(stored) and not search_problem(stored) and stored in raw


def folder_of(state: Where) -> dict[int, str]:
    return {k: folder for folder, held in state.items() for k, _ in held}


def each_once(state: Where, before: Where) -> None:
    """Nothing lost, nothing duplicated: the same bytes, each in exactly one folder."""
    now = Counter(x for held in state.values() for x in held)
    assert now == Counter(x for held in before.values() for x in held)
    assert all(n == 1 for n in now.values())


def apply_fates(c: IMAPClient, folder: str, fates: dict[int, str]) -> None:
    """Another mail client at work: some messages to Trash, some out and back (new UIDs)."""
    if all(fate == "stay" for fate in fates.values()):
        return
    for name in ("Trash", "Elsewhere"):
        if not c.folder_exists(name):
            c.create_folder(name)
    c.select_folder(folder)
    for k, fate in fates.items():
        if fate == "stay":
            continue
        uids = c.search(["HEADER", "X-Case", str(k)])
        assert len(uids) == 1
        c.move(uids, "Trash" if fate == "trash" else "Elsewhere")
    if any(f == "back" for f in fates.values()):
        c.select_folder("Elsewhere")
        c.move(c.search("ALL"), folder)


def _source(dovecot: Dovecot, user: str):  # type: ignore[no-untyped-def]
    from onward.accounts import account_source
    from onward.config import parse_account

    return account_source(parse_account("work", dovecot.account(user)))[0]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=cases)
# Always tried, whatever hypothesis draws: the case, and the ones a search trips on.
@example(
    cases=[Case(False, "<inbox-{k}@mail.test>", "stay", "stay"), Case(True, ".", "trash", "stay")]
)
@example(
    cases=[
        Case(True, "<paren(s)*%-{k}@mail.test>", "back", "back"),
        Case(True, "<lit-{k}@mail.test{5}", "back", "back"),
        Case(True, "<résumé-{k}@mail.test>", "back", "back"),
        Case(True, "<résumé-1@mail.test>", "trash", "stay"),
    ]
)
@example(
    cases=[
        Case(True, "<inbox-1@mail.test>", "back", "back"),
        Case(True, "<inbox-1@mail.test>", "stay", "back"),
        Case(False, "<inbox-1@mail.test", "stay", "stay"),
        Case(True, "inbox-1@mail.test", "back", "trash"),
    ]
)
def test_archive_and_undo_move_only_journaled_messages_each_exactly_once(
    dovecot: Dovecot, cases: list[Case]
) -> None:
    from onward.actions.archive import ArchiveOptions, archive, undo
    from onward.classify.service import classifier_for
    from onward.mail.movers import mover_for
    from onward.scan import Scanner
    from onward.store import Store
    from onward.store.journal import Journal

    user = new_user()
    dovecot.seed(user, [build(k, case) for k, case in enumerate(cases)])
    c = dovecot.client(user)
    with tempfile.TemporaryDirectory(prefix="onward-prop-") as tmp:
        store = Store.for_path(Path(tmp) / "onward.db")
        Scanner(store, classifier=classifier_for(store)).run(_source(dovecot, user))
        journal = Journal(store)
        c.select_folder("INBOX")
        case_of = {
            uid: int(CASE.search(d[b"BODY[HEADER]"]).group(1))  # type: ignore[union-attr]
            for uid, d in c.fetch(c.search("ALL"), [b"BODY.PEEK[HEADER]"]).items()
        }
        rows = journal.candidates("work", ARCHIVE, 0.8)
        mid_of = {case_of[int(r["key"])]: r["message_id"] for r in rows}

        apply_fates(c, "INBOX", {k: case.fate for k, case in enumerate(cases)})
        before = where(c)
        make = lambda _name: mover_for(_source(dovecot, user))  # noqa: E731
        report = archive(journal, make, ArchiveOptions())
        assert not report.problems, report.problems
        for skipped in report.skipped:
            event(f"archive left one: {skipped['why']}")
        archived = where(c)

        each_once(archived, before)
        was, now = folder_of(before), folder_of(archived)
        for k, case in enumerate(cases):
            expect = was[k]
            if k in mid_of and mid_of[k] and was[k] == "INBOX":
                found = case.fate == "stay" or findable(mid_of[k], case, k)
                expect = ARCHIVE if found else "INBOX"
                if case.fate == "back":
                    event(f"archive re-find expected: {found}")
            assert now[k] == expect, (k, case, mid_of.get(k))

        apply_fates(c, ARCHIVE, {k: cases[k].later for k, f in now.items() if f == ARCHIVE})
        moved_again = where(c)
        if journal.last_undoable() is not None:
            back = undo(journal, make, None)
            assert not back.problems, back.problems
            for skipped in back.skipped:
                event(f"undo left one: {skipped.get('why') or skipped['state']}")
        restored = where(c)

        each_once(restored, before)
        again, final = folder_of(moved_again), folder_of(restored)
        for k, case in enumerate(cases):
            expect = again[k]
            if again[k] == ARCHIVE and now[k] == ARCHIVE:
                found = case.later == "stay" or findable(mid_of[k], case, k)
                expect = "INBOX" if found else ARCHIVE
            assert final[k] == expect, (k, case, mid_of.get(k))
        store.engine.dispose()
    c.logout()
