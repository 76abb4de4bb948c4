"""The IMAP `security` setting: never a guess that could send the password in clear text."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.dovecot import Dovecot, new_user
from tests.runner import run
from tests.test_imap import add_account


def set_account(home: Path, **values: object) -> None:
    path = home / "config.toml"
    data = tomllib.loads(path.read_text())
    data["accounts"]["work"].update(values)
    path.write_text(tomli_w.dumps(data))


def logged_in(server: Dovecot, user: str) -> bool:
    return f"user=<{user}>" in (server.dir / "dovecot.log").read_text(errors="replace")


@pytest.mark.parametrize("security", ["SSL", "encrypted", "", "TLS1.2"])
def test_an_unknown_or_mistyped_security_never_logs_in_on_the_plain_port(
    dovecot: Dovecot, home: Path, security: str
) -> None:
    user = new_user()  # never seeded: the only login under this name is the scan's
    add_account(home, dovecot, user)  # the plain-text port, 127.0.0.1:143-style
    set_account(home, security=security)
    done = run("scan", "work", home=home)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert not logged_in(dovecot, user)  # no LOGIN reached the server, in clear or not
    if security != "SSL":
        assert "is not one of tls, starttls or plain" in done.stderr.replace("\n", " ")


def test_ssl_is_read_as_implicit_tls(dovecot: Dovecot, home: Path) -> None:
    user = new_user()  # never seeded: the only login under this name is the scan's
    add_account(home, dovecot, user)
    set_account(home, security="SSL", port=dovecot.sport)
    done = run("scan", "work", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert logged_in(dovecot, user)


def test_plain_text_is_refused_off_loopback_and_allowed_on_it(dovecot: Dovecot, home: Path) -> None:
    user = new_user()  # never seeded: the only login under this name is the scan's
    add_account(home, dovecot, user)
    set_account(home, security="plain", host="mail.example.org")
    done = run("scan", "work", home=home)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "unencrypted to mail.example.org" in done.stderr.replace("\n", " ")
    assert not logged_in(dovecot, user)
    set_account(home, security="Plain", host="127.0.0.1")
    assert run("scan", "work", home=home).returncode == 0
    assert logged_in(dovecot, user)


def test_a_non_ascii_password_logs_in_with_authenticate_plain(dovecot: Dovecot, home: Path) -> None:
    from tests.dovecot import UNICODE_PASSWORD, UNICODE_USER

    add_account(home, dovecot, UNICODE_USER, password=UNICODE_PASSWORD)
    done = run("scan", "work", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert logged_in(dovecot, UNICODE_USER)


def test_a_wrong_non_ascii_password_is_one_sentence(dovecot: Dovecot, home: Path) -> None:
    from tests.dovecot import UNICODE_USER

    add_account(home, dovecot, UNICODE_USER, password="wrong-pässwörd")
    done = run("scan", "work", home=home)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    said = done.stderr.replace("\n", " ")
    assert "refused the login for nadia" in said and "Unexpected error" not in said
