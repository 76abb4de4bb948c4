"""Follow-up drafts from hostile or odd mail (issue 12): line separators in headers, a Reply-To
on another domain, recipients that are not the person, control characters in Message-IDs and
non-ASCII addresses. Against a real Dovecot, real files and the real dashboard."""

from __future__ import annotations

import email
import email.policy
import json
import os
import sqlite3
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.actions import compose
from onward.actions.followup import PLACEHOLDER
from tests.dovecot import Dovecot, new_user
from tests.jobmail import REJECTION
from tests.runner import SRC, run
from tests.test_archive import ok
from tests.test_followup import drafts, email_ids
from tests.test_imap import add_account
from tests.webserver import build_home, serve

# Every character str.splitlines() breaks on that CR/LF flattening used to miss.
LINE_BREAKS = ["\u2028", "\u2029", "\x85", "\v", "\f", "\x1c", "\x1d", "\x1e"]


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def mail(
    i: int,
    sender: str,
    subject: str = "",
    *,
    reply_to: str = "",
    to: str = "Sam Rivera <sam@example.org>",
    company: str = "Acme Robotics",
) -> bytes:
    """A rejection with headers written as given (encoded words, raw UTF-8 or not)."""
    head = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject or f'Your application for Data Analyst at {company}'}",
        f"Date: Mon, 02 Mar 2026 10:{i:02d}:00 +0000",
        f"Message-ID: <hostile-{i}@mail.test>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if reply_to:
        head.append(f"Reply-To: {reply_to}")
    body = REJECTION.format(role="Data Analyst", company=company, recruiter="Dana Whitfield")
    return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode()


# U+2028 in the subject, U+0085 and U+2029 in the sender's name, as encoded words.
SEPARATED = mail(
    1,
    "=?utf-8?q?Dana=C2=85Whit=E2=80=A9field?= <dana.whitfield@acmerobotics.com>",
    "=?utf-8?q?Your_application_for_Data_Analyst=E2=80=A8at_Acme_Robotics?=",
)


def row(**values: str) -> dict[str, str]:
    return {
        "id": 1,
        "subject": "Your application",
        "from_name": "Dana",
        "from_addr": "dana@acme.test",
        "reply_to": "",
        "body": "",
        "message_id": "<a@acme.test>",
        "refs": "",
        "company": "Acme",
        "role": "",
    } | values  # type: ignore[return-value]


def draft_for(r: dict[str, str], me: tuple[str, str] = ("Sam", "sam@example.org")) -> bytes:
    choice = compose.choose_recipient(r, {me[1].lower()})
    msg = compose.compose(r, choice, me, compose.default_template(), datetime.now(UTC))
    return msg.as_bytes()


def headers(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


# --- item 5: line separators in a subject or name --------------------------------------
@pytest.mark.parametrize("ch", LINE_BREAKS, ids=[f"U+{ord(c):04X}" for c in LINE_BREAKS])
def test_every_line_break_in_a_subject_or_name_stays_on_one_header_line(ch: str) -> None:
    raw = draft_for(
        row(subject=f"Your{ch}application", from_name=f"Dana{ch}Bcc: x@evil.test", company=ch)
    )
    draft = parse(raw)
    assert draft["Subject"] == "Re: Your application"
    assert draft["To"].addresses[0].display_name == "Dana Bcc: x@evil.test"
    assert not [h for h in headers(raw) if h.lower().startswith(b"bcc")]
    assert ch not in raw.decode("utf-8", "replace")


ANY = st.text(st.characters(codec=None), max_size=30)
ADDRESS = st.builds(lambda a, b: f"{a}@{b}", ANY, ANY)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.fixed_dictionaries(
        {k: ANY for k in ("subject", "from_name", "message_id", "refs", "company", "role", "body")}
        | {"from_addr": ADDRESS, "reply_to": st.builds(lambda n, a: f"{n} <{a}>", ANY, ADDRESS)}
    ),
    me=st.tuples(ANY, ADDRESS),
)
def test_any_text_from_the_mail_gives_a_draft_with_one_line_headers(
    values: dict[str, str], me: tuple[str, str]
) -> None:
    raw = draft_for(row(**values), me)
    for line in headers(raw):
        assert not any(b < 32 and b != 9 or b == 127 for b in line), line
    assert parse(raw)["From"] is not None


def test_followup_drafts_a_reply_to_a_subject_with_a_line_separator(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [SEPARATED])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    ok(run("scan", "work", home=home))
    with sqlite3.connect(home / "onward.db") as conn:
        [(eid,)] = conn.execute("SELECT id FROM emails").fetchall()
    done = ok(run("followup", "--email", str(eid), home=home))
    assert "Drafted a reply to" in done.stdout and "Unexpected" not in done.stderr
    [(raw, _)] = drafts(dovecot, user)
    draft = parse(raw)
    assert draft["Subject"] == "Re: Your application for Data Analyst at Acme Robotics"
    assert draft["To"].addresses[0].display_name == "Dana Whit field"


def test_the_dashboard_drafts_a_reply_to_a_subject_with_a_line_separator(tmp_path: Path) -> None:
    box = tmp_path / "separated.mbox"
    box.write_bytes(b"From dana@acmerobotics.com Mon Mar  2 10:01:00 2026\n" + SEPARATED)
    config, store = build_home(tmp_path / "home", [box])
    with store.engine.connect() as conn:
        from sqlalchemy import select

        from onward.store.schema import emails

        eid = conn.execute(
            select(emails.c.id).where(emails.c.message_id == "<hostile-1@mail.test>")
        ).scalar_one()
    with serve(config, store) as live, httpx.Client(base_url=live.url) as c:
        c.get("/", params={"token": live.secrets.token}, follow_redirects=True)
        r = c.post(f"/followups/{eid}/draft", data={"csrf": live.secrets.csrf})
        assert r.status_code == 303, r.text
    [saved] = list((tmp_path / "home" / "drafts").glob("*.eml"))
    assert parse(saved.read_bytes())["Subject"].startswith("Re: Your application for")


def before_archive_draft(home: Path) -> None:
    with open(home / "config.toml", "a") as f:
        f.write('\n[followup]\nbefore_archive = "draft"\n')


def test_archive_files_every_rejection_when_a_subject_has_a_line_separator(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    plain = mail(2, "Lee Okafor <lee.okafor@globex.com>", company="Globex")
    dovecot.seed(user, [SEPARATED, plain])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    before_archive_draft(home)
    ok(run("scan", "work", home=home))
    done = ok(run("archive", home=home))
    assert "2 messages archived" in done.stdout
    assert done.stdout.count("Drafted a follow-up") == 2
    assert len(drafts(dovecot, user)) == 2


def test_archive_goes_on_when_a_draft_cannot_be_made(tmp_path: Path, home: Path) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for i, company in enumerate(("Globex", "Initech")):
        sender = f"Lee Okafor <lee.okafor@{company.lower()}.com>"
        (maildir / "cur" / f"{i}.mail:2,").write_bytes(mail(i, sender, company=company))
    ok(run("account", "add", "box", "--path", str(maildir), "--address", "sam@x.org", home=home))
    before_archive_draft(home)
    ok(run("scan", "box", home=home))
    (home / "drafts").write_text("a file where the drafts folder should be")
    done = ok(run("archive", home=home))
    assert done.stderr.count("could not be made (") == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "2 messages archived" in done.stdout


# --- item 9: a Reply-To on another domain ----------------------------------------------
def test_a_reply_to_on_a_personal_domain_is_said_and_marked_foreign() -> None:
    choice = compose.choose_recipient(
        row(from_addr="no-reply@acme.com", from_name="Acme", reply_to="Acme <hr.acme@gmail.com>"),
        {"sam@example.org"},
    )
    assert choice.to is not None and choice.to.address == "hr.acme@gmail.com"
    assert choice.foreign
    assert "hr.acme@gmail.com" in choice.note and "outside acme.com" in choice.note


def test_a_human_sender_wins_over_a_reply_to_on_another_domain() -> None:
    choice = compose.choose_recipient(
        row(from_addr="dana@acme.com", reply_to="someone@elsewhere.example"), {"sam@example.org"}
    )
    assert choice.to is not None and choice.to.address == "dana@acme.com"
    assert not choice.foreign
    assert choice.note == (
        "The rejection's Reply-To someone@elsewhere.example is outside acme.com, so the draft "
        "goes to dana@acme.com."
    )
    assert [r.address for r in choice.alternatives] == ["someone@elsewhere.example"]


def test_a_reply_to_in_the_senders_own_domain_or_behind_an_ats_needs_no_word() -> None:
    for r in (
        row(from_addr="no-reply@acme.com", reply_to="dana@jobs.acme.com"),
        row(from_addr="no-reply@greenhouse.io", reply_to="dana@acme.com"),
    ):
        choice = compose.choose_recipient(r, set())
        assert choice.to is not None and choice.to.address == r["reply_to"]
        assert (choice.note, choice.foreign) == ("", False)
    behind_ats = row(from_addr="no-reply@greenhouse.io", reply_to="recruiter@gmail.com")
    assert compose.foreign_reply_to(behind_ats) == ["recruiter@gmail.com"]


FOREIGN = mail(3, "Acme Robotics <no-reply@acmerobotics.com>", reply_to="hr.acme@gmail.com")


def test_followup_says_when_the_reply_to_is_on_another_domain(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [FOREIGN])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    ok(run("scan", "work", home=home))
    listed = ok(run("followup", home=home)).stdout
    assert "hr.acme@gmail.com is outside acmerobotics.com" in listed
    [eid] = email_ids(home)
    done = ok(run("followup", "--email", str(eid), home=home))
    assert "hr.acme@gmail.com, outside acmerobotics.com" in done.stdout
    [(raw, _)] = drafts(dovecot, user)
    assert "outside acmerobotics.com" in parse(raw).get_content()


def test_archive_never_drafts_to_a_reply_to_on_another_domain(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    plain = mail(2, "Lee Okafor <lee.okafor@globex.com>", company="Globex")
    dovecot.seed(user, [FOREIGN, plain])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    before_archive_draft(home)
    ok(run("scan", "work", home=home))
    done = ok(run("archive", home=home))
    assert "2 messages archived" in done.stdout
    assert "No follow-up drafted for Acme Robotics" in done.stderr
    assert "hr.acme@gmail.com" in done.stderr
    [(raw, _)] = drafts(dovecot, user)
    assert parse(raw)["To"].addresses[0].addr_spec == "lee.okafor@globex.com"


def test_mail_from_a_foreign_reply_to_is_not_the_employers_feedback(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [FOREIGN])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    ok(run("scan", "work", home=home))
    ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    [(raw, _)] = drafts(dovecot, user)
    draft = parse(raw)
    answer = (
        f"From: Acme HR <hr.acme@gmail.com>\r\nTo: sam@example.org\r\n"
        f"Subject: {draft['Subject']}\r\nMessage-ID: <answer-1@gmail.com>\r\n"
        f"In-Reply-To: {draft['Message-ID']}\r\nReferences: {draft['Message-ID']}\r\n"
        f"Date: {email.utils.format_datetime(datetime.now(UTC))}\r\n\r\n"
        "Please pay the 50 EUR application fee to hear our feedback.\r\n"
    ).encode()
    dovecot.seed(user, [answer])
    ok(run("scan", "work", home=home))
    figures = json.loads(ok(run("status", "--json", home=home)).stdout)["followups"]
    assert (figures["asked"], figures["answered"]) == (1, 0)
    with sqlite3.connect(home / "onward.db") as conn:
        assert conn.execute("SELECT feedback FROM followups").fetchone() == ("",)
        assert not conn.execute("SELECT 1 FROM events WHERE kind='feedback'").fetchall()


# --- item 10: the draft speaks only as the person ---------------------------------------
BOSSED = mail(
    4, "Dana Whitfield <dana.whitfield@acmerobotics.com>", to="Big Boss <ceo@acme.com>, me@me.org"
)


def test_without_an_address_the_draft_has_a_placeholder_from_never_a_recipient(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()  # a login that is not an address
    dovecot.seed(user, [BOSSED])
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))
    done = ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    assert "does not know your own address" in done.stdout
    [(raw, _)] = drafts(dovecot, user)
    draft = parse(raw)
    assert draft["From"].addresses[0].addr_spec == PLACEHOLDER[1]
    assert draft.get_content().rstrip().endswith(PLACEHOLDER[0])
    for them in (b"Big Boss", b"ceo@acme.com", b"me@me.org"):
        assert them not in raw.split(b"\r\n\r\n", 1)[1]
        assert not [h for h in headers(raw) if h.startswith(b"From:") and them in h]


def test_the_imap_login_is_the_from_when_it_is_an_address(dovecot: Dovecot, home: Path) -> None:
    user = f"{new_user()}@example.org"
    dovecot.seed(user, [BOSSED])
    add_account(home, dovecot, user, "--your-name", "Sam Rivera")
    ok(run("scan", "work", home=home))
    ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    [(raw, _)] = drafts(dovecot, user)
    draft = parse(raw)
    assert draft["From"].addresses[0].addr_spec == user
    assert draft["From"].addresses[0].display_name == "Sam Rivera"
    assert draft.get_content().rstrip().endswith("Sam Rivera")
    assert b"Big Boss" not in raw


def test_a_placeholder_from_is_never_sent(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "mail.eml"
    box.write_bytes(BOSSED)
    ok(run("scan", str(box), home=home))
    done = run("followup", "--email", str(email_ids(home)[0]), "--send", "--yes", home=home)
    assert done.returncode == 1 and "does not know your own address" in done.stderr


def run_at_terminal(args: list[str], home: Path, answers: str) -> tuple[int, str]:
    """`onward ARGS` with a pseudo-terminal as its standard input, typing `answers`."""
    import pty

    master, slave = pty.openpty()
    os.write(master, answers.encode())
    proc = subprocess.run(
        [sys.executable, "-m", "onward", *args],
        stdin=slave,
        capture_output=True,
        text=True,
        timeout=120,
        env={"ONWARD_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)}
        | {"PYTHONPATH": str(SRC)},
    )
    os.close(slave)
    os.close(master)
    return proc.returncode, proc.stdout + proc.stderr


def test_at_a_terminal_the_address_is_asked_once_and_kept(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "mails"
    box.mkdir()
    (box / "a.eml").write_bytes(BOSSED)
    (box / "b.eml").write_bytes(mail(5, "Lee Okafor <lee.okafor@globex.com>", company="Globex"))
    ok(run("account", "add", "box", "--path", str(box), home=home))
    ok(run("scan", "box", home=home))
    first, second = email_ids(home)
    code, said = run_at_terminal(
        ["followup", "--email", str(first)], home, "sam@example.org\nSam Rivera\n"
    )
    assert code == 0 and "Your email address" in said, said
    config = tomllib.loads((home / "config.toml").read_text())
    assert config["accounts"]["box"]["address"] == "sam@example.org"
    code, said = run_at_terminal(["followup", "--email", str(second)], home, "")
    assert code == 0 and "Your email address" not in said, said
    for saved in (home / "drafts").glob("*.eml"):
        draft = parse(saved.read_bytes())
        assert str(draft["From"]) == "Sam Rivera <sam@example.org>"
        assert b"Big Boss" not in saved.read_bytes()


def test_an_address_the_email_package_cannot_parse_is_never_a_recipient() -> None:
    raw = draft_for(row(from_addr="dana@[", reply_to="<@acme.test>, x@y z"), ("Sam", "sam@["))
    draft = parse(raw)
    assert draft["To"] is None
    assert draft["From"].addresses[0].addr_spec == PLACEHOLDER[1]


# --- item 15: only well-formed Message-IDs are threaded ----------------------------------
def test_control_characters_in_message_ids_never_reach_the_draft() -> None:
    raw = draft_for(
        row(
            message_id="<a\x00\x1b]0;pwned\x07b@acme.test>",
            refs="<ok-1@acme.test> <bad\x1b[2J@acme.test> <ok-2@acme.test><ok-3@acme.test> junk",
        )
    )
    draft = parse(raw)
    assert draft["In-Reply-To"] is None and draft["References"] is None
    raw = draft_for(row(refs="<ok-1@acme.test> <bad\x07@acme.test> <ok-2@acme.test><ok-3@x>"))
    assert parse(raw)["References"] == "<ok-1@acme.test> <ok-2@acme.test> <ok-3@x> <a@acme.test>"
    assert not any(0 < b < 32 and b not in (9, 10, 13) or b == 127 for b in raw)


# --- item 7: non-ASCII addresses ---------------------------------------------------------
UNICODE = mail(6, "Jörg Müller <jörg.müller@bücher.example>", company="Bücher")


def test_a_non_ascii_address_gets_its_draft_saved_in_dovecot(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [UNICODE])
    add_account(home, dovecot, user, "--address", "säm@tëst.example", "--your-name", "Säm")
    ok(run("scan", "work", home=home))
    done = ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    assert "Drafted a reply to" in done.stdout
    [(raw, _)] = drafts(dovecot, user)
    assert "<jörg.müller@xn--bcher-kva.example>".encode() in raw  # UTF-8 headers (RFC 6532)
    draft = email.message_from_string(raw.decode("utf-8"), policy=email.policy.default)
    assert draft["To"].addresses[0].addr_spec == "jörg.müller@xn--bcher-kva.example"
    assert draft["From"].addresses[0].addr_spec == "säm@xn--tst-jma.example"
    assert draft["Message-ID"].endswith("@xn--tst-jma.example>")


def test_a_non_ascii_domain_gets_its_draft_saved_as_a_file(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "mail.eml"
    box.write_bytes(mail(7, "Dana <dana@bücher.example>", company="Bücher"))
    ok(run("account", "add", "box", "--path", str(box), "--address", "sam@tëst.example", home=home))
    ok(run("scan", "box", home=home))
    ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    [saved] = list((home / "drafts").glob("*.eml"))
    raw = saved.read_bytes()
    assert raw.isascii()  # IDNA domains: no SMTPUTF8 needed
    assert parse(raw)["To"].addresses[0].addr_spec == "dana@xn--bcher-kva.example"
