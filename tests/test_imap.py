"""IMAP scanning against a real Dovecot on loopback."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from onward.accounts import account_source
from onward.config import parse_account
from onward.scan import Scanner
from onward.store import Store
from tests.dovecot import PASSWORD, Dovecot, new_user
from tests.factory import message
from tests.runner import run


def add_account(home: Path, server: Dovecot, user: str, *extra: str, password: str = PASSWORD):
    done = run(
        "account",
        "add",
        "work",
        "--imap",
        f"127.0.0.1:{server.port}",
        "--user",
        user,
        "--starttls",
        "--ca-file",
        server.cafile,
        "--password-command",
        f"echo {password}",
        *extra,
        home=home,
    )
    assert done.returncode == 0, done.stderr


def summary(done: subprocess.CompletedProcess[str]) -> dict[str, int]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_scan_account_twice_stores_each_message_once_and_marks_nothing_read(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [message(i, html=i % 2 == 0) for i in range(30)])
    add_account(home, dovecot, user)
    assert summary(run("scan", "work", "--json", home=home)) == {
        "scanned": 30,
        "new": 30,
        "skipped": 0,
        "errors": 0,
    }
    assert summary(run("scan", "--json", home=home))["new"] == 0
    c = dovecot.client(user)
    c.select_folder("INBOX", readonly=True)
    flags = c.get_flags(c.search("ALL"))
    assert not any(b"\\Seen" in f for f in flags.values())
    # New mail: the next scan reads only it.
    dovecot.seed(user, [message(i) for i in range(30, 33)])
    assert summary(run("scan", "work", "--json", home=home)) == {
        "scanned": 3,
        "new": 3,
        "skipped": 0,
        "errors": 0,
    }
    config = (home / "config.toml").read_text()
    assert PASSWORD not in config.replace(f"echo {PASSWORD}", "")


def test_scan_over_implicit_tls_with_folders(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [message(i) for i in range(5)])
    dovecot.seed(user, [message(i) for i in range(5, 8)], folder="Jobs")
    done = run(
        "account",
        "add",
        "tlsacct",
        "--imap",
        f"127.0.0.1:{dovecot.sport}",
        "--user",
        user,
        "--tls",
        "--ca-file",
        dovecot.cafile,
        "--password-command",
        f"echo {PASSWORD}",
        "--folder",
        "INBOX",
        "--folder",
        "Jobs",
        home=home,
    )
    assert done.returncode == 0, done.stderr
    assert summary(run("scan", "tlsacct", "--json", home=home))["new"] == 8


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("password", "refused the login"),
        ("cert", "certificate"),
        ("closed", "connection refused"),
        ("host", "could not be resolved"),
    ],
)
def test_connection_problems_give_one_sentence(
    dovecot: Dovecot, home: Path, case: str, expected: str
) -> None:
    user = "alice"  # in the passwd file; the static passdb also accepts only PASSWORD
    host, port, extra = "127.0.0.1", dovecot.sport, ["--ca-file", dovecot.cafile]
    password = PASSWORD
    if case == "password":
        password = "wrong"
    elif case == "cert":
        extra = []  # the test server's self-signed certificate is not trusted by default
    elif case == "closed":
        from tests.dovecot import free_port

        port = free_port()
    elif case == "host":
        host = "no-such-host.invalid"
    done = run(
        "account",
        "add",
        "bad",
        "--imap",
        f"{host}:{port}",
        "--user",
        user,
        "--tls",
        "--password-command",
        f"echo {password}",
        *extra,
        home=home,
    )
    assert done.returncode == 0
    done = run("scan", "bad", home=home)
    assert done.returncode == 1
    assert expected in done.stderr.replace("\n", " ")
    assert "Traceback" not in done.stderr
    debug = run("scan", "bad", "--debug", home=home)
    assert "Traceback" in debug.stderr


def test_failing_password_command_is_reported(dovecot: Dovecot, home: Path) -> None:
    run(
        "account",
        "add",
        "x",
        "--imap",
        f"127.0.0.1:{dovecot.port}",
        "--user",
        "u",
        "--starttls",
        "--ca-file",
        dovecot.cafile,
        "--password-command",
        "exit 3",
        home=home,
    )
    done = run("scan", "x", home=home)
    assert done.returncode == 1
    assert "password command failed (exit code 3)" in done.stderr
    assert "Traceback" not in done.stderr


def _source(server: Dovecot, user: str, port: int | None = None):
    return account_source(parse_account("work", server.account(user, port)))[0]


def test_uidvalidity_change_rescans_without_duplicates(dovecot: Dovecot, tmp_path: Path) -> None:
    user = new_user()
    dovecot.seed(user, [message(i) for i in range(12)])
    store = Store.for_path(tmp_path / "o.db")
    assert Scanner(store).run(_source(dovecot, user)).new == 12
    dovecot.doveadm("mailbox", "update", "-u", user, "--uid-validity", "424242", "INBOX")
    again = Scanner(store).run(_source(dovecot, user))
    assert (again.scanned, again.new) == (12, 0)
    assert store.count_emails() == 12
    assert store.folder_state("work", "INBOX")["uidvalidity"] == 424242
    assert len(store.known_keys("work", "INBOX")) == 12


def test_server_killed_mid_scan_then_rescan_stores_each_once(
    own_server: Dovecot, tmp_path: Path
) -> None:
    server = own_server
    user = new_user()
    server.seed(user, [message(i) for i in range(1200)])
    store = Store.for_path(tmp_path / "o.db")

    class KillAfterFirstBatch:
        done = 0

        def start(self, total: int, unit: str) -> None:
            pass

        def advance(self, messages: int, nbytes: int) -> None:
            self.done += messages
            if self.done >= 250 and server.proc is not None:
                server.crash()

    first = Scanner(store, KillAfterFirstBatch()).run(_source(server, user))
    assert first.failed and first.problems
    assert "dropped" in first.problems[0] or "Nothing is listening" in first.problems[0]
    stored = store.count_emails()
    assert 0 < stored < 1200
    server.start()
    second = Scanner(store).run(_source(server, user))
    assert not second.failed
    assert store.count_emails() == 1200
    assert second.new == 1200 - stored
    assert len(store.known_keys("work", "INBOX")) == 1200


def test_scan_does_not_block_a_concurrent_reader(dovecot: Dovecot, tmp_path: Path) -> None:
    user = new_user()
    dovecot.seed(user, [message(i) for i in range(600)])
    store = Store.for_path(tmp_path / "o.db")
    counts: list[int] = []
    reader = Store.for_path(tmp_path / "o.db")

    def read() -> None:
        for _ in range(20):
            counts.append(reader.count_emails())

    t = threading.Thread(target=read)
    t.start()
    Scanner(store).run(_source(dovecot, user))
    t.join()
    assert counts == sorted(counts)  # the reader only ever sees whole batches, growing
    assert store.count_emails() == 600


def test_an_imap_rescan_with_nothing_new_writes_nothing_to_the_database(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """A fleet worker rescans every account every few minutes, and most find nothing new: the
    checkpoint the database already holds is not written again (issue 18: <= 20 ms of worker
    time per account)."""
    from sqlalchemy import event

    user = new_user()
    dovecot.seed(user, [message(i) for i in range(3)])
    store = Store.for_path(tmp_path / "o.db")
    assert Scanner(store).run(_source(dovecot, user)).new == 3
    writes: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_a: (
            writes.append(sql)
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            else None
        ),
    )
    again = Scanner(store).run(_source(dovecot, user))
    assert (again.scanned, again.new) == (0, 0)
    assert writes == []
    dovecot.seed(user, [message(9)])
    assert Scanner(store).run(_source(dovecot, user)).new == 1
    assert writes  # new mail and its checkpoint are written as before


def _fetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "imap-fetch" and t.is_alive()]


@pytest.fixture
def own_server() -> Iterator[Dovecot]:
    """A Dovecot of the test's own, for a test that kills or freezes it."""
    from tests import dovecot as dv

    if not dv.available():
        pytest.skip("Dovecot is not installed")
    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


def test_a_scan_stopped_midway_while_the_server_is_frozen_returns_at_once_and_leaves_no_thread(
    own_server: Dovecot, tmp_path: Path
) -> None:
    """The next batch is fetched on a thread while the scan stores this one. Stopping the scan
    (Ctrl-C, a database error) must not wait for a server that has gone silent, and the thread
    must never use the connection after the scan has moved on."""
    import os
    import signal
    import time

    server = own_server
    user = new_user()
    server.seed(user, [message(i) for i in range(1200)])
    source = _source(server, user)
    items = source.scan("INBOX", {}, lambda _f: set())
    first = next(i for i in items if hasattr(i, "locator"))
    assert first.locator.key == "1"
    assert server.proc is not None
    os.killpg(server.proc.pid, signal.SIGSTOP)  # the server goes silent mid-scan
    try:
        time.sleep(0.3)
        started = time.monotonic()
        items.close()
        assert time.monotonic() - started < 5
        assert _fetch_threads() == []
    finally:
        os.killpg(server.proc.pid, signal.SIGCONT)
    source.close()
    again = Scanner(Store.for_path(tmp_path / "o.db")).run(_source(server, user))
    assert (again.scanned, again.errors) == (1200, 0)
    assert _fetch_threads() == []


def test_a_scan_stopped_by_ctrl_c_ends_its_fetch_thread_before_logging_out(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """The scan stops in the middle (here a Ctrl-C after the first batch is stored) without
    closing the source's generator: closing the source must first end the thread fetching
    ahead, or LOGOUT and that FETCH would share one TLS connection."""
    user = new_user()
    dovecot.seed(user, [message(i) for i in range(1200)])
    store = Store.for_path(tmp_path / "o.db")

    class CtrlCAfterFirstBatch:
        def start(self, total: int, unit: str) -> None:
            pass

        def advance(self, messages: int, nbytes: int) -> None:
            raise KeyboardInterrupt

    # Held, as a caller reporting it would hold it: its frames keep the generator open.
    with pytest.raises(KeyboardInterrupt) as stopped:
        Scanner(store, CtrlCAfterFirstBatch(), workers=1).run(_source(dovecot, user))
    assert _fetch_threads() == []
    assert stopped.traceback
    stored = store.count_emails()
    again = Scanner(store).run(_source(dovecot, user))
    assert not again.problems
    assert (again.new, store.count_emails()) == (1200 - stored, 1200)


def test_an_account_pointed_at_another_login_reads_that_mailbox_even_with_the_same_uids(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """`onward account add work --replace --user OTHER`: the account's name stays, so do its
    folders' checkpoints. Two mailboxes can share UIDVALIDITY (Dovecot's is the creation
    second) and UIDNEXT: the checkpoint names whose mailbox it is, or the other's mail would
    look read already."""
    first, other = new_user(), new_user()
    dovecot.seed(first, [message(i) for i in range(3)])
    dovecot.seed(other, [message(i) for i in range(10, 13)])
    for user in (first, other):
        dovecot.doveadm("mailbox", "update", "-u", user, "--uid-validity", "777", "INBOX")
    store = Store.for_path(tmp_path / "o.db")
    assert Scanner(store).run(_source(dovecot, first)).new == 3
    moved = Scanner(store).run(_source(dovecot, other))
    assert (moved.scanned, moved.new, moved.errors) == (3, 3, 0)
    assert store.count_emails() == 6
    again = Scanner(store).run(_source(dovecot, other))
    assert (again.scanned, again.new) == (0, 0)


def test_a_scan_going_on_after_its_source_was_closed_says_the_connection_dropped(
    dovecot: Dovecot,
) -> None:
    """Closing the source ends its fetch thread; a scan that then asks for more must hear
    that the connection is gone, not wait for a batch that will never come."""
    from onward.mail.sources import SourceError

    user = new_user()
    dovecot.seed(user, [message(i) for i in range(700)])
    source = _source(dovecot, user)
    items = source.scan("INBOX", {}, lambda _f: set())
    next(i for i in items if hasattr(i, "locator"))
    source.close()
    outcome: list[BaseException | int] = []

    def rest() -> None:
        try:
            outcome.append(sum(1 for _ in items))
        except BaseException as exc:  # noqa: BLE001 (the outcome is what is asserted)
            outcome.append(exc)

    reader = threading.Thread(target=rest, daemon=True)
    reader.start()
    reader.join(15)
    assert not reader.is_alive(), "the scan waited for a batch that never comes"
    [error] = outcome
    assert isinstance(error, SourceError) and "dropped" in str(error)
    assert _fetch_threads() == []
