"""`followup --send` and `account password` find out whether they can do their job before
they ask the person anything: SMTP settings, the server's answer, a password, a keyring."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_followup
from tests.dovecot import PASSWORD, Dovecot, free_port
from tests.jobmail import rejection
from tests.runner import run
from tests.test_archive import ok
from tests.test_followup import email_ids

PROMPT = "Send this reply to"
smtp = test_followup.smtp  # a real SMTP server on loopback (aiosmtpd, STARTTLS, AUTH)
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def scanned_rejection(home: Path, tmp_path: Path, *sending: str) -> str:
    box = tmp_path / "mail.eml"
    box.write_bytes(rejection(5, human=True))
    ok(
        run(
            "account",
            "add",
            "box",
            "--path",
            str(box),
            "--address",
            "sam@example.org",
            *sending,
            home=home,
        )
    )
    ok(run("scan", "box", home=home))
    return str(email_ids(home)[0])


@pytest.mark.parametrize(
    ("case", "said"),
    [
        (
            "no smtp",
            "No SMTP server is set for this account: add one with `onward account set box --smtp HOST[:PORT]`",
        ),
        ("closed port", "Nothing is listening at 127.0.0.1:"),
        ("no password", "No password for account 'box'"),
        ("wrong password", "refused the login for sam"),
        (
            "untrusted certificate",
            "give onward its certificate with `onward account set box --ca-file PATH`",
        ),
        ("implicit tls on a starttls port", "answered in plain text, not TLS"),
    ],
)
def test_followup_send_checks_smtp_and_password_before_asking(
    dovecot: Dovecot,
    smtp,
    home: Path,
    tmp_path: Path,
    case: str,
    said: str,  # noqa: ANN001
) -> None:
    ctl, received = smtp
    port = free_port() if case == "closed port" else ctl.port
    sending = ["--smtp", f"127.0.0.1:{port}", "--smtp-user", "sam"]
    if case != "implicit tls on a starttls port":
        sending.append("--smtp-starttls")
    eid = scanned_rejection(home, tmp_path, *([] if case == "no smtp" else sending))
    password = "wrong" if case == "wrong password" else PASSWORD
    if case != "no password":
        ok(run("account", "set", "box", "--password-command", f"echo {password}", home=home))
    if case != "untrusted certificate":
        ok(run("account", "set", "box", "--ca-file", dovecot.cafile, home=home))
    done = run("followup", "--email", eid, "--send", home=home, input="y\n", env=NO_KEYRING)
    assert done.returncode == 1
    assert PROMPT not in done.stdout  # refused before the question, not after the answer
    assert said in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    assert received.messages == []


def test_followup_send_asks_once_everything_needed_is_there(
    dovecot: Dovecot,
    smtp,
    home: Path,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    ctl, received = smtp
    sending = ["--smtp", f"127.0.0.1:{ctl.port}", "--smtp-starttls", "--smtp-user", "sam"]
    eid = scanned_rejection(home, tmp_path, *sending)
    ok(
        run(
            "account",
            "set",
            "box",
            "--password-command",
            f"echo {PASSWORD}",
            "--ca-file",
            dovecot.cafile,
            home=home,
        )
    )
    declined = run("followup", "--email", eid, "--send", home=home, input="n\n")
    assert declined.returncode == 1 and PROMPT in declined.stdout and "Not sent." in declined.stdout
    assert received.messages == []
    sent = ok(run("followup", "--email", eid, "--send", home=home, input="y\n"))
    assert PROMPT in sent.stdout and "Sent to" in sent.stdout
    [message] = received.messages
    assert message.rcpt_tos == ["priya.raman@kestrel-labs.com"]


@pytest.mark.parametrize("backend", ["fail", "null"])
def test_account_password_without_a_keyring_says_what_to_do_before_asking(
    home: Path, tmp_path: Path, backend: str
) -> None:
    box = tmp_path / "mail.eml"
    box.write_bytes(rejection(1))
    ok(run("account", "add", "box", "--path", str(box), home=home))
    done = run(
        "account",
        "password",
        "box",
        home=home,
        input="s3cret\n",
        env={"PYTHON_KEYRING_BACKEND": f"keyring.backends.{backend}.Keyring"},
    )
    assert done.returncode == 1
    assert "Password" not in done.stdout  # never asked for what it cannot keep
    said = " ".join(done.stderr.split())
    assert "This computer has no usable system keyring" in said
    assert '`onward account set box --password-command "pass show mail"`' in said
    assert "Traceback" not in done.stderr and "s3cret" not in said
