"""Follow-up replies: threaded drafts in a real IMAP Drafts folder, never to a robot, sent
through a real SMTP server on loopback only when the person says so."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from onward.actions import compose
from tests.dovecot import PASSWORD, Dovecot, new_user
from tests.jobmail import rejection
from tests.runner import run
from tests.test_archive import ok
from tests.test_imap import add_account


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def email_ids(home: Path) -> list[int]:
    import sqlite3

    with sqlite3.connect(home / "onward.db") as conn:
        return [
            r[0] for r in conn.execute("SELECT id FROM emails WHERE kind='rejection' ORDER BY id")
        ]


def drafts(server: Dovecot, user: str) -> list[tuple[bytes, tuple[bytes, ...]]]:
    c = server.client(user)
    c.select_folder("Drafts", readonly=True)
    uids = c.search("ALL")
    got = (
        [(d[b"BODY[]"], d[b"FLAGS"]) for d in c.fetch(uids, [b"BODY.PEEK[]", b"FLAGS"]).values()]
        if uids
        else []
    )
    c.logout()
    return got


def test_draft_threads_in_the_imap_drafts_folder_to_the_human(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    original = rejection(2, human=True)
    dovecot.seed(user, [original])
    add_account(home, dovecot, user, "--address", "sam@example.org", "--your-name", "Sam Rivera")
    ok(run("scan", "work", home=home))
    [eid] = email_ids(home)
    done = ok(run("followup", "--email", str(eid), home=home))
    assert "Drafted a reply to" in done.stdout

    [(raw, flags)] = drafts(dovecot, user)
    assert set(flags) >= {b"\\Draft", b"\\Seen"}
    draft, parent = parse(raw), parse(original)
    assert draft["To"].addresses[0].addr_spec == "priya.raman@initech.io"
    assert draft["Subject"] == "Re: " + parent["Subject"]
    assert draft["In-Reply-To"] == parent["Message-ID"]
    assert parent["Message-ID"] in draft["References"]
    assert draft["From"].addresses[0].addr_spec == "sam@example.org"
    body = draft.get_content().lower()
    for says in ("thank you", "feedback", "resume on file", "future openings", "all the best"):
        assert says in body
    assert body.startswith("hello priya,")
    # Asking again never drafts twice.
    ok(run("followup", "--email", str(eid), home=home))
    assert len(drafts(dovecot, user)) == 1


def test_never_drafts_to_a_no_reply_address(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    robot = rejection(0)  # from no-reply@greenhouse.io, nobody named in the text
    careers = rejection(1).replace(
        b"Best regards,", b"Questions? Write to careers@globex.com.\n\nBest regards,"
    )
    dovecot.seed(user, [robot, careers])
    add_account(home, dovecot, user)
    ok(run("scan", "work", home=home))
    first, second = email_ids(home)
    done = ok(run("followup", "--email", str(first), home=home))
    assert "no-reply@greenhouse.io, which nobody reads" in done.stdout
    ok(run("followup", "--email", str(second), home=home))
    by_subject = {parse(raw)["Subject"]: parse(raw) for raw, _ in drafts(dovecot, user)}
    to_robot = by_subject["Re: " + parse(robot)["Subject"]]
    assert to_robot["To"] is None
    assert "add the recruiter's address" in to_robot.get_content()
    to_careers = by_subject["Re: " + parse(careers)["Subject"]]
    assert to_careers["To"].addresses[0].addr_spec == "careers@globex.com"
    for d in by_subject.values():
        assert "greenhouse" not in str(d["To"] or "")


def test_a_newline_from_the_email_never_becomes_a_header() -> None:
    row = {
        "id": 1,
        "subject": "Your application\r\nBcc: thief@evil.test",
        "from_name": "Dana\r\nBcc: thief@evil.test",
        "from_addr": "dana@acme.test",
        "reply_to": "",
        "body": "",
        "message_id": "<a@acme.test>\r\nBcc: thief@evil.test",
        "refs": "",
        "company": "Acme\nX-Evil: 1",
        "role": "",
    }
    choice = compose.choose_recipient(row, {"sam@example.org"})
    msg = compose.compose(
        row,
        choice,
        ("Sam\r\nBcc: x@evil.test", "sam@example.org"),
        compose.default_template(),
        datetime.now(UTC),
    )
    raw = msg.as_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not [h for h in headers if h.lower().startswith((b"bcc", b"x-evil"))]
    assert parse(raw)["To"].addresses[0].addr_spec == "dana@acme.test"
    assert parse(raw)["In-Reply-To"] == "<a@acme.test>"


def test_the_template_is_sandboxed(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "mail.eml"
    box.write_bytes(rejection(4, human=True))
    ok(run("scan", str(box), home=home))
    template = home / "templates" / "followup.txt.j2"
    template.parent.mkdir(parents=True)
    template.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    done = run("followup", "--email", str(email_ids(home)[0]), home=home)
    assert done.returncode == 1 and "has an error" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (home / "drafts").exists()


def test_an_export_gets_an_eml_draft(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "mail.eml"
    box.write_bytes(rejection(4, human=True))
    ok(run("scan", str(box), home=home))
    ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    [draft] = list((home / "drafts").glob("*.eml"))
    assert parse(draft.read_bytes())["In-Reply-To"] == parse(box.read_bytes())["Message-ID"]


# --- sending: a real SMTP server on loopback (aiosmtpd, STARTTLS, AUTH) ------------------
class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        self.messages.append(envelope)
        return "250 OK"


def _login(server, session, envelope, mechanism, auth):  # noqa: ANN001, ANN202
    return AuthResult(
        success=(auth.login, auth.password) == (b"sam", PASSWORD.encode()), handled=False
    )


@pytest.fixture
def smtp(dovecot: Dovecot) -> Iterator[tuple[Controller, Inbox]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(dovecot.cafile, str(dovecot.dir / "ssl" / "key.pem"))
    handler = Inbox()
    ctl = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=True,
        authenticator=_login,
        auth_required=True,
    )
    ctl.start()
    yield ctl, handler
    ctl.stop()


def test_send_only_after_confirmation(dovecot: Dovecot, smtp, home: Path) -> None:  # noqa: ANN001
    ctl, received = smtp
    user = new_user()
    dovecot.seed(user, [rejection(5, human=True)])
    add_account(
        home,
        dovecot,
        user,
        "--smtp",
        f"127.0.0.1:{ctl.port}",
        "--smtp-starttls",
        "--smtp-user",
        "sam",
        "--address",
        "sam@example.org",
    )
    ok(run("scan", "work", home=home))
    eid = str(email_ids(home)[0])
    refused = run("followup", "--email", eid, "--send", home=home)  # no terminal: no consent
    assert refused.returncode == 1 and received.messages == []
    ok(run("followup", "--email", eid, "--send", "--yes", home=home))
    [sent] = received.messages
    assert sent.rcpt_tos == ["priya.raman@kestrel-labs.com"]
    assert b"In-Reply-To:" in sent.content
    status = ok(run("status", "--json", home=home))
    import json

    figures = json.loads(status.stdout)["followups"]
    assert (figures["asked"], figures["sent"], figures["answered"]) == (1, 1, 0)


def test_the_employer_answer_is_linked_and_counted(dovecot: Dovecot, home: Path) -> None:
    import json

    user = new_user()
    dovecot.seed(user, [rejection(2, human=True)])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    ok(run("scan", "work", home=home))
    ok(run("followup", "--email", str(email_ids(home)[0]), home=home))
    [(raw, _)] = drafts(dovecot, user)
    draft = parse(raw)
    answer = (
        f"From: Priya Raman <priya.raman@initech.io>\r\nTo: sam@example.org\r\n"
        f"Subject: {draft['Subject']}\r\nMessage-ID: <answer-1@initech.io>\r\n"
        f"In-Reply-To: {draft['Message-ID']}\r\nReferences: {draft['Message-ID']}\r\n"
        f"Date: {email.utils.format_datetime(datetime.now(UTC))}\r\n\r\n"
        "Hi Sam, the other finalist had more dbt experience. Your SQL exercise was strong.\r\n"
    ).encode()
    dovecot.seed(user, [answer])
    ok(run("scan", "work", home=home))
    figures = json.loads(ok(run("status", "--json", home=home)).stdout)["followups"]
    assert (figures["asked"], figures["answered"]) == (1, 1)
    import sqlite3

    with sqlite3.connect(home / "onward.db") as conn:
        feedback, app = conn.execute("SELECT feedback, application_id FROM followups").fetchone()
        kinds = [
            r[0] for r in conn.execute("SELECT kind FROM events WHERE application_id=?", (app,))
        ]
    assert "dbt experience" in feedback
    assert "feedback" in kinds


def test_archive_drafts_the_follow_ups_first_when_configured(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [rejection(i, human=i != 1) for i in range(3)])
    add_account(home, dovecot, user)
    with open(home / "config.toml", "a") as f:
        f.write('\n[followup]\nbefore_archive = "draft"\n')
    ok(run("scan", "work", home=home))
    done = ok(run("archive", home=home))
    assert done.stdout.count("Drafted a follow-up") == 3
    assert "3 messages archived" in done.stdout
    found = [parse(raw) for raw, _ in drafts(dovecot, user)]
    assert len(found) == 3
    assert sum(1 for d in found if d["To"] is None) == 1  # the no-reply one waits for an address


def test_smtp_ports_default_to_submission_not_imap() -> None:
    from onward.accounts import sending

    assert sending(None, None, "smtp.example.org")["smtp_port"] == 465
    assert sending(None, None, "smtp.example.org", starttls=True)["smtp_port"] == 587
    assert sending(None, None, "smtp.example.org:2525", starttls=True)["smtp_port"] == 2525


def test_a_reply_to_address_beats_one_in_the_text() -> None:
    row = {
        "reply_to": "Acme Careers <careers@acme.test>",
        "from_addr": "no-reply@greenhouse.io",
        "from_name": "Acme",
        "body": "Questions? Dana (dana.whit@acme.test) or careers@acme.test.",
    }
    choice = compose.choose_recipient(row, {"sam@example.org"})
    assert choice.to is not None and choice.to.address == "careers@acme.test"
    assert choice.note == ""  # a header address: no note needed
    assert [r.address for r in choice.alternatives] == ["dana.whit@acme.test"]
