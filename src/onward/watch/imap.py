"""An IMAP account watched over one connection: IDLE where the server has it, else polling.

Each wake-up runs the incremental scan over that same connection. A dropped connection
is retried with backoff (the scan's UIDNEXT checkpoint makes the catch-up exact); a
refused login stops this account alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Event
from typing import Any

from imapclient import IMAPClient

from onward.mail.network import NETWORK_ERRORS
from onward.mail.sources.imap import ImapSource, describe_error
from onward.watch.plan import Backoff, WatchSettings, is_fatal
from onward.watch.wake import Say, Waker

# (account, state): "idle", "polling", "retrying", "stopped"
Report = Callable[[str, str], None]


class ImapWatch:
    def __init__(
        self,
        name: str,
        make_source: Callable[[], tuple[Any, list[str] | None]],
        waker: Waker,
        settings: WatchSettings,
        stop: Event,
        say: Say,
        report: Report | None = None,
        seen_check: Callable[[str, IMAPClient, str], None] | None = None,
        debug: bool = False,
    ) -> None:
        self.debug = debug
        self.name = name
        self.make_source = make_source
        self.waker = waker
        self.settings = settings
        self.stop = stop
        self.say = say
        self.report = report or (lambda _a, _s: None)
        # Called after each wake-up with the connection: the deferred archive looks at \Seen.
        self.seen_check = seen_check

    def run(self) -> None:
        backoff = Backoff(self.settings.backoff_first, self.settings.backoff_cap)
        dropped = False
        while not self.stop.is_set():
            source, folders = self.make_source()
            try:
                client = source.connect()
                self.waker.wake(self.name, source, folders)
                if dropped:
                    self.say(f"{self.name}: connected again and caught up.")
                dropped = False
                backoff.reset()
                self._listen(source, client, (folders or ["INBOX"])[0], folders)
            except Exception as exc:
                source.drop()
                if is_fatal(exc):
                    self.say(
                        f"{self.name}: {_sentence(exc, source)} Stopped watching this account."
                    )
                    self.report(self.name, "stopped")
                    return
                if not _is_network(exc):
                    self.say(
                        f"{self.name}: stopped watching this account after an unexpected "
                        f"error ({type(exc).__name__}); run with --debug for details."
                    )
                    self.report(self.name, "stopped")
                    if self.debug:
                        raise
                    return
                delay = backoff.next_delay()
                if not dropped:
                    self.say(f"{self.name}: {_sentence(exc, source)} Trying again in {delay:g} s.")
                dropped = True
                self.report(self.name, "retrying")
                self.stop.wait(delay)
            else:
                source.close()

    def _listen(
        self, source: ImapSource, client: IMAPClient, folder: str, folders: list[str] | None
    ) -> None:
        """Wait for mail until asked to stop; a network failure propagates to `run`."""
        idle = client.has_capability("IDLE")
        self.report(self.name, "idle" if idle else "polling")
        if not idle:
            every = f"{self.settings.poll_every:g} s"
            self.say(f"{self.name}: the server has no IDLE; looking every {every}.")
        else:
            self.say(f"{self.name}: waiting for mail in {folder} (IDLE).")
        while not self.stop.is_set():
            info = client.select_folder(folder, readonly=True)
            # Mail that came between the scan (or the last IDLE) and this SELECT.
            woke = self.waker.behind(self.name, folder, info)
            if not woke:
                self._after_wake(client, folder)
                woke = self._idle(client) if idle else not self.stop.wait(self.settings.poll_every)
            if woke and not self.stop.is_set():
                self.waker.wake(self.name, source, folders)

    def _idle(self, client: IMAPClient) -> bool:
        """One IDLE, ended by news from the server, a stop, or the renewal time."""
        _text, pending = client.noop()
        if pending:
            return True
        renew = self.settings.idle_renew
        client.idle()
        started = time.monotonic()
        # The server often sends what changed just before the IDLE in the same packet as
        # its "+ idling": imaplib's reader then holds it, and idle_check, which waits on
        # the socket, would not see it until the next packet (up to the renewal).
        news: list[Any] = [True] if _buffered(client) else []
        early = 0
        while not self.stop.is_set() and not news:
            left = renew - (time.monotonic() - started)
            if left <= 0:
                break
            wait = min(self.settings.tick, left)
            asked = time.monotonic()
            news = client.idle_check(timeout=wait)
            # imapclient returns [] at once, forever, when the server has closed the
            # connection (it swallows the EOF): twice early and empty in a row is a drop.
            early = early + 1 if not news and time.monotonic() - asked < wait / 2 else 0
            if early >= 2:
                raise ConnectionError("the server closed the connection during IDLE")
        _text, late = client.idle_done()
        return bool(news or late)

    def _after_wake(self, client: IMAPClient, folder: str) -> None:
        if self.seen_check is not None:
            self.seen_check(self.name, client, folder)


def _buffered(client: IMAPClient) -> bool:
    """Whether imaplib has read from the server more than it has handed over."""
    sock = client.socket()
    sock.setblocking(False)
    try:
        return bool(client._imap.file.peek(1))
    except (OSError, ValueError):  # nothing held, and nothing on the socket either
        return False
    finally:
        sock.setblocking(True)
        client._set_read_timeout()


def _is_network(exc: BaseException) -> bool:
    from onward.mail.sources import SourceError

    return isinstance(exc, (SourceError, *NETWORK_ERRORS))


def _sentence(exc: BaseException, source: ImapSource) -> str:
    from onward.mail.sources import SourceError

    if isinstance(exc, SourceError):
        return str(exc)
    if isinstance(exc, NETWORK_ERRORS):
        return describe_error(exc, source.settings, source.name)
    return str(exc)
