"""A connection that fails for a setting says which setting fixes it, in one sentence,
and the fix it names works (real Dovecot: a plain-text port and a TLS port with a
self-signed certificate)."""

from __future__ import annotations

from pathlib import Path

from tests.dovecot import PASSWORD, Dovecot, new_user
from tests.runner import run
from tests.test_archive import ok
from tests.test_imap_security import set_account


def add(home: Path, user: str, port: int, *security: str) -> None:
    ok(
        run(
            "account",
            "add",
            "work",
            "--imap",
            f"127.0.0.1:{port}",
            "--user",
            user,
            "--password-command",
            f"echo {PASSWORD}",
            *security,
            home=home,
        )
    )


def failed(home: Path) -> str:
    done = run("scan", "work", home=home, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    return " ".join(done.stderr.split())


def test_tls_spoken_to_a_plain_text_port_suggests_starttls(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [b"Subject: hi\r\nMessage-ID: <a@x>\r\n\r\nhello\r\n"])
    add(home, user, dovecot.port, "--tls", "--ca-file", dovecot.cafile)
    said = failed(home)
    assert f"127.0.0.1:{dovecot.port} answered in plain text, not TLS" in said
    assert "`onward account set work --starttls`" in said
    ok(run("account", "set", "work", "--starttls", home=home))
    assert "1 new" in ok(run("scan", "work", home=home)).stdout


def test_a_self_signed_certificate_suggests_ca_file(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [b"Subject: hi\r\nMessage-ID: <a@x>\r\n\r\nhello\r\n"])
    add(home, user, dovecot.sport, "--tls")
    said = failed(home)
    assert "not from an authority this computer trusts (self-signed certificate)" in said
    assert "`onward account set work --ca-file PATH`" in said
    ok(run("account", "set", "work", "--ca-file", dovecot.cafile, home=home))
    assert "1 new" in ok(run("scan", "work", home=home)).stdout


def test_plain_text_spoken_to_a_tls_port_suggests_tls(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [b"Subject: hi\r\nMessage-ID: <a@x>\r\n\r\nhello\r\n"])
    add(home, user, dovecot.sport, "--starttls", "--ca-file", dovecot.cafile)
    set_account(home, timeout=2)  # the TLS port waits for a handshake that never comes
    said = failed(home)
    assert f"127.0.0.1:{dovecot.sport} sent no greeting within 2 seconds" in said
    assert "`onward account set work --tls`" in said
    ok(run("account", "set", "work", "--tls", home=home))
    assert "1 new" in ok(run("scan", "work", home=home)).stdout


def test_an_export_has_no_imap_security_to_set(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "mail.mbox"
    box.write_bytes(b"From a@x Mon Jan  1 00:00:00 2024\nSubject: hi\n\nhello\n")
    ok(run("account", "add", "box", "--path", str(box), home=home))
    done = run("account", "set", "box", "--starttls", home=home)
    assert done.returncode == 1 and "not an IMAP account" in done.stderr
