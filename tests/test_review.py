"""Everything marked for review is shown for review, likeliest job mail first, and a reply in a
thread that holds job mail is never confidently `not_job` (issue 14, item 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import httpx

from onward.classify.model import Verdict
from onward.classify.thread import with_thread
from tests.factory import mbox_bytes
from tests.runner import run
from tests.webserver import build_home, serve

CONFIRMATION = "<confirm-1@greenhouse.io>"
INVITATION = "<mina-1@acmerobotics.com>"
UNSURE = "<jo-1@lumen.example>"
BOOK_CLUB = "<robin-1@example.net>"


def _mail(n: int, mid: str, sender: str, subject: str, body: str, reply_to: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Sam Rivera <sam@example.org>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 9, 1, 9, tzinfo=UTC) + timedelta(hours=n))
    msg["Message-ID"] = mid
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    msg.set_content(body)
    return msg.as_bytes()


def confirmation() -> bytes:
    return _mail(
        1,
        CONFIRMATION,
        "Acme Robotics <no-reply@greenhouse.io>",
        "Thank you for applying to Acme Robotics",
        "Hi Sam,\n\nThank you for applying to Acme Robotics! We have received your application "
        "for the Data Analyst role and our team will review it.\n",
    )


def invitation() -> bytes:
    """An interview invitation written by a person, in the thread of its own confirmation, under
    a subject of its own and with no word of an interview: alone, the shipped model calls it
    not_job with confidence above the review threshold (0.99)."""
    return _mail(
        2,
        INVITATION,
        "Mina Park <mina@acmerobotics.com>",
        "Re: Thursday",
        "Hi Sam,\n\nWould you be free for a chat with me and our engineering lead on Thursday "
        "at 3pm? Let me know what time suits you.\n\nBest,\nMina",
        reply_to=CONFIRMATION,
    )


def unsure() -> bytes:
    """Mail the model calls not_job below the threshold (about 0.5): marked for review."""
    return _mail(
        3,
        UNSURE,
        "Jo Park <jo@lumen.example>",
        "Catching up",
        "Hi Sam, the team enjoyed meeting you. Can you send me a few times? Jo",
    )


def book_club() -> bytes:
    return _mail(
        4,
        BOOK_CLUB,
        "Robin <robin@example.net>",
        "Book club notes",
        "Hi Sam,\n\nHere are the notes from Tuesday's book club. Bring snacks.\n\nRobin\n",
    )


def _review(home: Path, db: str) -> list[dict]:
    done = run("--db", db, "review", "--json", home=home)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _scan(home: Path, db: str, path: Path) -> None:
    done = run("--db", db, "scan", str(path), home=home)
    assert done.returncode == 0, done.stderr


def test_uncertain_not_job_mail_and_a_reply_to_a_confirmation_are_shown_for_review(
    db_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([confirmation(), invitation(), unsure(), book_club()]))
    lone = tmp_path / "lone.mbox"
    lone.write_bytes(mbox_bytes([invitation()]))
    alone = json.loads(run("classify", str(lone), "--jsonl", home=home).stdout)
    assert (alone["kind"], alone["needs_review"]) == ("not_job", False)  # read alone: not job mail
    # `onward classify` reads the files as a scan does: beside the confirmation it answers, the
    # invitation waits for the person (it comes out last: a reply waits for what it answers).
    together = run("classify", str(box), "--jsonl", home=home)
    lines = [json.loads(line) for line in together.stdout.splitlines()]
    verdicts = {v["message_id"]: v for v in lines}
    assert verdicts[INVITATION]["kind"] == "not_job" and verdicts[INVITATION]["needs_review"]
    assert lines[-1]["message_id"] == INVITATION and len(lines) == 4
    assert verdicts[UNSURE]["kind"] == "not_job" and verdicts[UNSURE]["needs_review"]
    assert not verdicts[BOOK_CLUB]["needs_review"]
    _scan(home, db_url, box)
    shown = [r["message_id"] for r in _review(home, db_url)]
    assert INVITATION in shown and UNSURE in shown
    assert BOOK_CLUB not in shown and CONFIRMATION not in shown
    # The person's answer stands: a later scan does not hold the invitation again.
    done = run("--db", db_url, "label", INVITATION, "not_job", home=home)
    assert done.returncode == 0, done.stderr
    _scan(home, db_url, box)
    assert INVITATION not in [r["message_id"] for r in _review(home, db_url)]


def test_a_reply_scanned_before_the_job_mail_it_answers_is_held_for_review(
    db_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    first, later = tmp_path / "replies.mbox", tmp_path / "inbox.mbox"
    first.write_bytes(mbox_bytes([invitation()]))
    later.write_bytes(mbox_bytes([confirmation()]))
    _scan(home, db_url, first)
    assert INVITATION not in [r["message_id"] for r in _review(home, db_url)]
    _scan(home, db_url, later)
    assert INVITATION in [r["message_id"] for r in _review(home, db_url)]


def test_a_stored_reply_with_weight_on_an_interview_is_shown_as_one_once_its_thread_holds_job_mail(
    db_url: str, tmp_path: Path
) -> None:
    """As `onward classify` shows it: the scan keeps each verdict's interview probability, and
    a reply that answers job mail found later is put in review as the interview it may be."""
    from onward.store import Store
    from onward.store.schema import emails

    home = tmp_path / "home"
    first, later = tmp_path / "replies.mbox", tmp_path / "inbox.mbox"
    first.write_bytes(mbox_bytes([invitation()]))
    later.write_bytes(mbox_bytes([confirmation()]))
    _scan(home, db_url, first)
    store = Store(db_url)
    row = store.find_emails(INVITATION)[0]
    assert row["kind"] == "not_job" and row["interview_p"] is not None and row["interview_p"] < 0.1
    with store.engine.begin() as conn:  # as a model that gives the invitation more weight would
        conn.execute(emails.update().where(emails.c.id == row["id"]).values(interview_p=0.3))
    _scan(home, db_url, later)
    shown = {r["message_id"]: r for r in _review(home, db_url)}
    assert shown[INVITATION]["kind"] == "interview"
    held = store.find_emails(INVITATION)[0]
    assert held["needs_review"] and held["confidence"] == 0.3
    assert held["company"].lower().startswith("acme")  # read from the stored message
    _scan(home, db_url, later)  # once named, it stays as it is
    assert store.find_emails(INVITATION)[0]["kind"] == "interview"


def test_mail_that_job_mail_names_in_its_references_is_not_held(
    db_url: str, tmp_path: Path
) -> None:
    """Only what a message answers counts: a job message that (wrongly) names a newsletter
    in its References does not make the newsletter job mail."""
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    stray = confirmation().replace(b"Message-ID:", f"References: {BOOK_CLUB}\nMessage-ID:".encode())
    box.write_bytes(mbox_bytes([book_club(), stray]))
    _scan(home, db_url, box)
    assert BOOK_CLUB not in [r["message_id"] for r in _review(home, db_url)]


def test_review_lists_the_likeliest_job_mail_first(db_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([confirmation(), invitation(), unsure(), book_club()]))
    _scan(home, db_url, box)
    from onward.store import Store
    from onward.store.schema import emails

    store = Store(db_url)
    rows = [
        ("<a@x>", "interview", 0.55),
        ("<b@x>", "rejection", 0.7),
        ("<c@x>", "not_job", 0.3),
        ("<d@x>", "rejection", 0.75),
    ]
    with store.engine.begin() as conn:
        for i, (mid, kind, conf) in enumerate(rows):
            conn.execute(
                emails.insert().values(
                    source="made",
                    fingerprint=f"f{i}",
                    message_id=mid,
                    kind=kind,
                    confidence=conf,
                    needs_review=True,
                    subject="",
                    from_addr="",
                )
            )
    shown = [(r["kind"], r["confidence"]) for r in _review(home, db_url)]
    order = [k for k, _ in shown]
    assert order.index("interview") < order.index("rejection") < order.index("not_job")
    rejections = [c for k, c in shown if k == "rejection"]
    assert rejections == sorted(rejections, reverse=True)  # likelier rejections first
    not_job = [c for k, c in shown if k == "not_job"]
    assert not_job == sorted(not_job)  # the least sure "not job" is the likeliest job mail


def test_the_dashboard_review_page_and_api_show_uncertain_not_job_mail(tmp_path: Path) -> None:
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([confirmation(), invitation(), unsure(), book_club()]))
    config, store = build_home(tmp_path / "home", [box])
    ids = {mid: store.find_emails(mid)[0]["id"] for mid in (INVITATION, UNSURE, BOOK_CLUB)}
    with serve(config, store) as live:
        bearer = {"Authorization": f"Bearer {live.secrets.token}"}
        api = httpx.get(live.url + "/api/review", headers=bearer).json()
        page = httpx.get(live.url + "/review", headers=bearer).text
    listed = {r["id"] for r in api}
    assert {ids[INVITATION], ids[UNSURE]} <= listed and ids[BOOK_CLUB] not in listed
    assert f'id="email-{ids[INVITATION]}"' in page and f'id="email-{ids[UNSURE]}"' in page


def test_a_confident_not_job_in_a_thread_with_job_mail_needs_review() -> None:
    sure = Verdict("not_job", 0.9, False)
    held = with_thread(sure, {"application_received", "not_job"})
    assert held.needs_review and held.kind == "not_job"
    assert with_thread(sure, {"not_job"}) is sure
    interview = Verdict("interview", 0.9, False)
    assert with_thread(interview, {"application_received"}) is interview


def test_job_talk_in_a_thread_with_job_mail_is_shown_as_the_interview_it_may_be() -> None:
    p = {"not_job": 0.85, "interview": 0.12, "rejection": 0.03}
    doubtful = Verdict("not_job", 0.85, False, probabilities=p)
    held = with_thread(doubtful, {"application_received"})
    assert (held.kind, held.needs_review, round(held.confidence, 2)) == ("interview", True, 0.12)
    assert with_thread(doubtful, {"not_job"}) is doubtful  # a thread without job mail: as it was
    in_review = Verdict("not_job", 0.6, True, probabilities=p)  # already waiting: named too
    assert with_thread(in_review, {"rejection"}).kind == "interview"
    weak = Verdict("not_job", 0.9, False, probabilities={"not_job": 0.93, "interview": 0.07})
    assert with_thread(weak, {"rejection"}).kind == "not_job"


def test_a_reply_shown_as_an_interview_is_read_for_its_employer() -> None:
    from onward.classify.thread import in_job_thread
    from onward.mail.parse import parse_message

    email = parse_message(invitation())
    p = {"not_job": 0.8, "interview": 0.2}
    v = in_job_thread(email, Verdict("not_job", 0.8, False, probabilities=p), {"interview"})
    assert (v.kind, v.needs_review) == ("interview", True)
    assert v.company.lower().startswith("acme")  # the sender's own domain: acmerobotics.com
    untouched = Verdict("not_job", 0.8, False, probabilities={"not_job": 0.95})
    assert in_job_thread(email, untouched, {"interview"}).company == ""


def test_onward_classify_leaves_a_reply_the_person_corrected_as_they_said(tmp_path: Path) -> None:
    """The scan never holds a corrected message for its thread; `onward classify` reads threads
    as a scan does, so it does not either."""
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([confirmation(), invitation()]))
    assert run("scan", str(box), home=home).returncode == 0
    assert run("label", INVITATION, "not_job", home=home).returncode == 0
    shown = run("review", "--json", home=home).stdout
    assert INVITATION not in shown  # the scan keeps the correction
    done = run("classify", str(box), "--jsonl", home=home)
    verdicts = {v["message_id"]: v for v in map(json.loads, done.stdout.splitlines())}
    assert verdicts[INVITATION]["kind"] == "not_job"
    assert not verdicts[INVITATION]["needs_review"]
