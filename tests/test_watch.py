"""`onward watch` against a real Dovecot: IDLE, polling, reconnects, refused logins, signals."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from imapclient.exceptions import LoginError

from onward.mail.sources import SourceError
from onward.secrets import SecretError
from onward.watch.plan import Backoff, WatchSettings, is_fatal
from tests import dovecot as dv
from tests.dovecot import NO_IDLE, Dovecot, new_user
from tests.runner import run
from tests.watching import Watch, job_mail


def add_account(
    home: Path, server: Dovecot, name: str, user: str, password: str = dv.PASSWORD
) -> None:
    done = run(
        "account", "add", name, "--imap", f"127.0.0.1:{server.port}", "--user", user,
        "--starttls", "--ca-file", server.cafile, "--password-command", f"echo {password}",
        home=home,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def configure(home: Path, **sections: dict[str, Any]) -> None:
    path = home / "config.toml"
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    path.write_text(tomli_w.dumps(data))


def stored(home: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(home / "onward.db") as conn:
        conn.row_factory = sqlite3.Row
        q = (
            "SELECT e.id, e.message_id, e.kind, e.company, e.role, e.application_id, a.company AS "
            "app_company FROM emails e LEFT JOIN applications a ON a.id = e.application_id "
            "ORDER BY e.id"
        )
        return [dict(r) for r in conn.execute(q)]


def append(server: Dovecot, user: str, raw: bytes) -> None:
    c = server.client(user)
    try:
        c.append("INBOX", raw)
    finally:
        c.logout()


def need_dovecot() -> None:
    if not dv.available():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed: .ci/run must install dovecot-imapd")
        pytest.skip("Dovecot is not installed (make test installs it)")


@pytest.fixture
def own_dovecot() -> Iterator[Dovecot]:
    """A server of the test's own, for tests that kill it."""
    need_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


FAST = {"backoff_first_seconds": 0.2, "backoff_max_seconds": 1, "poll_seconds": 1}


def test_a_rejection_appended_while_watching_is_stored_classified_and_linked(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    add_account(home, dovecot, "work", user)
    configure(home, watch=FAST | {"idle_renew_seconds": 1})
    with Watch(home) as w:
        w.wait_for(r"work: waiting for mail in INBOX \(IDLE\)")
        time.sleep(2.5)  # past two renewals of the IDLE: the renewed one still hears the mail
        append(dovecot, user, job_mail())
        w.wait_for(r"work: 1 new \(1 rejection\)", timeout=15)
    [row] = stored(home)
    assert row["kind"] == "rejection"
    assert row["application_id"] is not None and row["app_company"] == "Kestrel Labs"
    assert w.proc.returncode == 0 and w.lines[-1] == "Stopped watching."


def test_after_the_server_dies_mid_idle_and_restarts_the_watch_catches_up_with_nothing_twice(
    own_dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    add_account(home, own_dovecot, "work", user)
    configure(home, watch=FAST)
    with Watch(home) as w:
        w.wait_for(r"waiting for mail in INBOX \(IDLE\)")
        append(own_dovecot, user, job_mail("Globex", "Data Analyst"))
        w.wait_for(r"work: 1 new")
        own_dovecot.crash()
        w.wait_for(r"work: The connection to .* dropped\. Trying again")
        time.sleep(1.5)  # a few refused reconnects while it is down
        own_dovecot.start()
        # Arrived while the watcher was away: the catch-up finds it.
        append(own_dovecot, user, job_mail("Initech", "Backend Engineer"))
        started = time.monotonic()
        w.wait_for(r"work: connected again and caught up", timeout=20)
        assert time.monotonic() - started < 10
        w.wait_for(r"waiting for mail in INBOX \(IDLE\)")
        append(own_dovecot, user, job_mail("Brightwave", "Product Designer"))
        w.wait_for(r"work: 1 new")
    rows = stored(home)
    assert sorted(r["company"] for r in rows) == ["Brightwave", "Globex", "Initech"]
    assert len({r["message_id"] for r in rows}) == 3
    news = [ln for ln in w.lines if " new (" in ln]
    assert len(news) == 3  # each message announced once, never again on a reconnect


def test_a_server_without_idle_is_polled(home: Path) -> None:
    need_dovecot()
    server = Dovecot(NO_IDLE)
    server.start()
    try:
        user = new_user()
        add_account(home, server, "work", user)
        configure(home, watch=FAST)
        with Watch(home) as w:
            w.wait_for(r"work: the server has no IDLE; looking every 1 s")
            append(server, user, job_mail())
            w.wait_for(r"work: 1 new \(1 rejection\)", timeout=10)
        assert [r["kind"] for r in stored(home)] == ["rejection"]
    finally:
        server.cleanup()


def test_a_wrong_password_stops_that_account_in_one_sentence_and_the_others_go_on(
    dovecot: Dovecot, home: Path
) -> None:
    good, bad = new_user(), new_user()
    add_account(home, dovecot, "work", good)
    add_account(home, dovecot, "old", bad, password="not-the-password")
    configure(home, watch=FAST)
    with Watch(home) as w:
        # (A busy server may first answer "temporarily unavailable", which is retried.)
        line = w.wait_for(r"^\S+ old: .*refused the login")
        assert line.endswith(
            f"old: The server at 127.0.0.1:{dovecot.port} refused the login for {bad}: check "
            "the password. Stopped watching this account."
        )
        w.saw_or_waits_for(r"work: waiting for mail")  # each account logs in on its own thread
        append(dovecot, good, job_mail())
        w.wait_for(r"work: 1 new")
    assert "Traceback" not in "\n".join(w.lines)
    assert sum("Stopped watching this account" in ln for ln in w.lines) == 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_ends_the_watch_cleanly_with_one_line(
    dovecot: Dovecot, home: Path, sig: int
) -> None:
    add_account(home, dovecot, "work", new_user())
    w = Watch(home)
    w.wait_for(r"waiting for mail")
    assert w.stop(sig) == 0
    assert w.lines[-1] == "Stopped watching."
    assert "Traceback" not in "\n".join(w.lines)


def test_a_maildir_account_is_watched_by_file_events(tmp_path: Path, home: Path) -> None:
    import mailbox

    box = mailbox.Maildir(tmp_path / "Mail", create=True)
    assert (
        run("account", "add", "local", "--path", str(tmp_path / "Mail"), home=home).returncode == 0
    )
    with Watch(home) as w:
        w.wait_for(r"local: waiting for mail in .* \(file events\)")
        box.add(job_mail())
        w.wait_for(r"local: 1 new \(1 rejection\)", timeout=15)
    assert [r["kind"] for r in stored(home)] == ["rejection"]


def test_watching_an_account_that_does_not_exist_says_so_in_one_sentence(home: Path) -> None:
    done = run("watch", "nosuch", home=home)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: No account named 'nosuch' (accounts: none yet)."


# The decisions, without sockets --------------------------------------------------------
def test_backoff_doubles_from_its_first_wait_and_stops_at_its_cap() -> None:
    b = Backoff(first=1, cap=10)
    assert [b.next_delay() for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    b.reset()
    assert b.next_delay() == 1


def test_a_refused_login_is_fatal_and_a_drop_or_a_starting_server_is_not() -> None:
    def wrapped(cause: BaseException) -> SourceError:
        try:
            raise SourceError("x") from cause
        except SourceError as exc:
            return exc

    assert is_fatal(wrapped(LoginError("[AUTHENTICATIONFAILED] Authentication failed.")))
    assert not is_fatal(wrapped(LoginError("[UNAVAILABLE] Temporary authentication failure.")))
    assert not is_fatal(wrapped(ConnectionRefusedError()))
    assert not is_fatal(ConnectionError("closed"))
    assert is_fatal(SecretError("The password command failed."))


def test_watch_settings_come_from_the_config_and_idle_is_renewed_before_29_minutes() -> None:
    assert WatchSettings.from_config({}).idle_renew < 29 * 60
    s = WatchSettings.from_config({"watch": {"poll_seconds": 30, "idle_renew_seconds": 5}})
    assert (s.poll_every, s.idle_renew) == (30, 5)
    from onward.config import ConfigError

    with pytest.raises(ConfigError, match="at most 1740"):
        WatchSettings.from_config({"watch": {"idle_renew_seconds": 1800}})
    with pytest.raises(ConfigError, match="positive number"):
        WatchSettings.from_config({"watch": {"poll_seconds": "often"}})


def test_mail_that_lands_between_the_select_and_the_idle_wakes_the_watch_at_once(
    dovecot: Dovecot,
) -> None:
    """Mail that lands after the SELECT and before the IDLE is reported by the NOOP just
    before it, not left for the next renewal."""
    import threading

    from onward.watch.imap import ImapWatch

    user = new_user()
    c = dovecot.client(user)
    c.select_folder("INBOX", readonly=True)
    append(dovecot, user, job_mail())  # after the SELECT, before the IDLE
    settings = WatchSettings(idle_renew=5, tick=0.2)
    watch = ImapWatch("work", lambda: None, None, settings, threading.Event(), print)  # type: ignore[arg-type]
    started = time.monotonic()
    assert watch._idle(c) is True
    assert time.monotonic() - started < 1.5
    c.logout()


def test_news_that_came_with_the_servers_idling_reply_is_not_left_in_imaplibs_buffer(
    dovecot: Dovecot,
) -> None:
    """Dovecot sends what changed before an IDLE right after its "+ idling", often in the same
    packet; imaplib's reader keeps it, and idle_check (which waits on the socket) does not see
    it. Found by benchmarks/watch.py: one message in a few hundred waited 30 s or more."""
    from onward.watch.imap import _buffered

    user = new_user()
    c = dovecot.client(user)
    c.select_folder("INBOX", readonly=True)
    append(dovecot, user, job_mail())  # a change the next command will report
    time.sleep(0.2)
    c.idle()
    time.sleep(0.2)
    assert c.idle_check(timeout=1) == []  # imapclient alone: nothing to see
    assert _buffered(c)
    _text, late = c.idle_done()
    assert (1, b"EXISTS") in late
    c.logout()
