"""IMAP accounts (Gmail, Outlook, Fastmail, Dovecot, Cyrus) through imapclient.

Reads with BODY.PEEK only, so a scan never marks mail read. Remembers UIDVALIDITY and UIDNEXT
per folder, and whose mailbox it is: a rescan with nothing new is one SELECT.
"""

from __future__ import annotations

import difflib
import imaplib
import ipaddress
import queue
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from onward.mail.model import Locator, RawMessage
from onward.mail.network import NETWORK_ERRORS, tls_hint
from onward.mail.prefix import BODY_PREFIX
from onward.mail.sources.base import (
    Checkpoint,
    Expect,
    FolderReset,
    KnownKeys,
    LoginRefused,
    MissingFolder,
    ScanItem,
    SourceError,
)

FETCH_BATCH = 200
TEXT_PART = f"BODY.PEEK[TEXT]<0.{BODY_PREFIX}>".encode()


# What the config may say, and what it means. Anything else is refused: guessing could send
# the password in clear text.
SECURITY = {"tls": "tls", "ssl": "tls", "imaps": "tls", "starttls": "starttls", "plain": "plain"}


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_security(value: object, host: str) -> str:
    """tls, starttls or plain from the config's word for it; plain only to this computer."""
    security = SECURITY.get(str(value).strip().lower()) if isinstance(value, str) else None
    if security is None:
        raise SourceError(
            f"The IMAP security setting {str(value)[:40]!r} is not one of tls, starttls or "
            "plain, so onward did not connect."
        )
    if security == "plain" and not is_loopback(host):
        raise SourceError(
            f'security = "plain" would send the password unencrypted to {host}; it is only '
            "allowed for a server on this computer (127.0.0.1): use tls or starttls."
        )
    return security


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    security: str = "tls"  # tls | starttls | plain (only to loopback); see checked_security
    ca_file: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "security", checked_security(self.security, self.host))


Secret = Callable[[], tuple[str, str]]  # returns ("password" | "oauth2", value)


def _context(settings: ImapSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file)


def describe_error(exc: BaseException, settings: ImapSettings, name: str = "NAME") -> str:
    """One plain sentence for a connection or protocol failure; `name` is the account's,
    for the command that fixes it."""
    where = f"{settings.host}:{settings.port}"
    hint = tls_hint(
        exc,
        where,
        f"`onward account set {name} --starttls`",
        f"`onward account set {name} --ca-file PATH`",
    )
    if hint:
        return hint
    if isinstance(exc, LoginError):
        return f"The server at {where} refused the login for {settings.user}: check the password."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"The TLS certificate of {where} could not be verified ({exc.verify_message})."
    if isinstance(exc, ssl.SSLError):
        return f"The TLS handshake with {where} failed ({exc.reason or exc})."
    if isinstance(exc, socket.gaierror):
        return f"The host name {settings.host} could not be resolved."
    if isinstance(exc, ConnectionRefusedError):
        return f"Nothing is listening at {where} (connection refused)."
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"The server at {where} did not answer in time."
    if isinstance(exc, imaplib.IMAP4.abort | EOFError | ConnectionError):
        return f"The connection to {where} dropped."
    if isinstance(exc, OSError):
        return f"Could not talk to {where}: {exc.strerror or exc}."
    return f"The server at {where} answered with an error: {exc}"


def no_greeting(settings: ImapSettings, name: str) -> str:
    """A server that stays silent where a plain-text greeting belongs is waiting for TLS."""
    where = f"{settings.host}:{settings.port}"
    return (
        f"The server at {where} sent no greeting within {settings.timeout:g} seconds: if it is "
        f"a TLS port (like 993), use `onward account set {name} --tls`."
    )


# Response codes (RFC 5530) and words of servers that turn a login away for now, not for a
# wrong password: Dovecot's [UNAVAILABLE], Gmail's "Too many simultaneous connections".
_FOR_NOW = ("[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[THROTTLED]", "SIMULTANEOUS", "TRY AGAIN")


def refused_for_now(exc: LoginError) -> bool:
    said = str(exc).upper()
    return any(word in said for word in _FOR_NOW)


def _login(client: IMAPClient, settings: ImapSettings, password: str) -> None:
    if settings.user.isascii() and password.isascii():
        client.login(settings.user, password)
        return
    # LOGIN (imaplib) sends ASCII only; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616).
    try:
        client.plain_login(settings.user, password)
    except LoginError as exc:
        raise LoginRefused(
            f"The server at {settings.host}:{settings.port} refused the login for "
            f"{settings.user}: check the password (its non-ASCII characters were sent as "
            "UTF-8 with AUTHENTICATE PLAIN, which some servers do not accept)."
        ) from exc


def missing_folders(wanted: list[str], existing: list[str]) -> list[tuple[str, list[str]]]:
    """Each wanted folder the server lacks, with the existing folders whose names are close."""
    by_lower: dict[str, str] = {}
    for name in existing:
        by_lower.setdefault(name.lower(), name)
    out = []
    for w in wanted:
        if w in existing or w.upper() == "INBOX":
            continue
        close = difflib.get_close_matches(w.lower(), list(by_lower), n=3, cutoff=0.6)
        out.append((w, [by_lower[c] for c in close]))
    return out


class ImapSource:
    kind = "imap"

    def __init__(self, name: str, settings: ImapSettings, secret: Secret) -> None:
        self.name = name
        self.settings = settings
        self._secret = secret
        self._client: IMAPClient | None = None
        self._missing: set[str] = set()
        self._ahead: _Ahead | None = None  # the thread fetching a scan's next batch

    # connection -------------------------------------------------------------------------
    def connect(self) -> IMAPClient:
        if self._client is not None:
            return self._client
        s = self.settings
        try:
            client = self._open()
            if s.security == "starttls":
                client.starttls(_context(s))
            method, value = self._secret()
            if method == "oauth2":
                client.oauth2_login(s.user, value)
            else:
                _login(client, s, value)
            # Pre-login capabilities lack MOVE, CONDSTORE...: ask again now we are in.
            client._cached_capabilities = None
            if client.has_capability("CONDSTORE"):
                client.enable("CONDSTORE")
        except LoginError as exc:
            if refused_for_now(exc):
                raise SourceError(
                    f"The server at {s.host}:{s.port} could not log {s.user} in just now (it "
                    "is busy or limits connections); the next scan tries again."
                ) from exc
            raise LoginRefused(describe_error(exc, s, self.name)) from exc
        except NETWORK_ERRORS as exc:
            raise SourceError(describe_error(exc, s, self.name)) from exc
        self._client = client
        return client

    def _open(self) -> IMAPClient:
        s = self.settings
        try:
            return IMAPClient(
                s.host,
                port=s.port,
                ssl=s.security == "tls",
                ssl_context=_context(s) if s.security == "tls" else None,
                timeout=s.timeout,
            )
        except TimeoutError as exc:
            if s.security == "tls":
                raise
            raise SourceError(no_greeting(s, self.name)) from exc

    def close(self) -> None:
        self._stop_fetching()
        if self._client is not None:
            with suppress(*NETWORK_ERRORS):
                self._client.logout()
            with suppress(*NETWORK_ERRORS):
                self._client.shutdown()
            self._client = None

    def drop(self) -> None:
        """Forget a connection that failed; the next call reconnects."""
        self._stop_fetching()
        if self._client is not None:
            with suppress(*NETWORK_ERRORS):
                self._client.shutdown()
        self._client = None

    # scanning ---------------------------------------------------------------------------
    def folder_names(self) -> list[str]:
        client = self.connect()
        try:
            return [name for _flags, _sep, name in client.list_folders()]
        except NETWORK_ERRORS as exc:
            self.drop()
            raise SourceError(describe_error(exc, self.settings, self.name)) from exc

    def folders(self, wanted: list[str] | None = None) -> list[str]:
        if not wanted:
            return ["INBOX"]
        # A missing folder fails on its own when scanned; the ones that exist are still read.
        self._missing = {m for m, _ in missing_folders(wanted, self.folder_names())}
        return wanted

    def scan(self, folder: str, state: dict[str, Any], known: KnownKeys) -> Iterator[ScanItem]:
        if folder in self._missing:
            raise MissingFolder(
                f"No folder named {folder!r} on {self.settings.host}; the other folders were "
                "scanned."
            )
        try:
            yield from self._scan(folder, state)
        except NETWORK_ERRORS as exc:
            self.drop()
            raise SourceError(describe_error(exc, self.settings, self.name)) from exc

    @property
    def mailbox(self) -> str:
        """Whose mail this is: an account pointed at another login or server since the last
        scan has other mail under the same folder names, UIDVALIDITY and UIDNEXT perhaps too."""
        s = self.settings
        return f"{s.user}@{s.host}:{s.port}"

    def _select(self, client: IMAPClient, folder: str) -> dict[str, Any]:
        """The folder's checkpoint as the server has it now (the folder stays selected). Not
        HIGHESTMODSEQ: a scan reads new UIDs only, and a flag the person changes in their mail
        client would otherwise make every rescan store a new checkpoint."""
        info = client.select_folder(folder, readonly=True)
        return {
            "mailbox": self.mailbox,
            "uidvalidity": int(info[b"UIDVALIDITY"]),
            "uidnext": int(info.get(b"UIDNEXT", 0)),
        }

    def is_current(self, folder: str, state: dict[str, Any]) -> bool:
        """The folder is as the checkpoint left it: the same mailbox, UIDVALIDITY and UIDNEXT,
        so a scan would find no new UID and store the same checkpoint. A server without
        UIDNEXT is never current: only a full scan can tell."""
        if folder in self._missing or not state.get("uidnext"):
            return False
        try:
            return self._select(self.connect(), folder) == state
        except NETWORK_ERRORS as exc:
            self.drop()
            raise SourceError(describe_error(exc, self.settings, self.name)) from exc

    def _scan(self, folder: str, state: dict[str, Any]) -> Iterator[ScanItem]:
        client = self.connect()
        new_state = self._select(client, folder)
        uidvalidity, uidnext = new_state["uidvalidity"], new_state["uidnext"]
        start = int(state.get("uidnext", 1)) or 1
        if state.get("uidvalidity") not in (None, uidvalidity) or state.get("mailbox") not in (
            None,
            self.mailbox,
        ):
            yield FolderReset(folder)
            start = 1
        elif uidnext and state.get("uidnext") == uidnext:
            yield Checkpoint(folder, new_state)  # nothing new: one SELECT and done
            return
        # "n:*" always matches the highest UID even when it is below n (RFC 3501).
        uids = sorted(u for u in client.search(["UID", f"{start}:*"]) if u >= start)
        yield Expect(len(uids))
        batches = [uids[i : i + FETCH_BATCH] for i in range(0, len(uids), FETCH_BATCH)]
        for batch, resp in self._fetched(client, batches):
            for uid in batch:
                data = resp.get(uid)
                if data is None:
                    continue  # expunged by another client since the SEARCH
                head = data.get(b"BODY[HEADER]") or b""
                text = data.get(b"BODY[TEXT]<0>") or b""
                loc = Locator(self.name, folder, str(uid), uidvalidity)
                yield RawMessage(loc, head + text, int(data.get(b"RFC822.SIZE", 0)))
            yield Checkpoint(folder, {**new_state, "uidnext": batch[-1] + 1})
        yield Checkpoint(folder, new_state)

    def _fetched(
        self, client: IMAPClient, batches: list[list[int]]
    ) -> Iterator[tuple[list[int], dict[int, dict[bytes, Any]]]]:
        """Each batch with its FETCH response, the next batch asked for on a thread while the
        scan parses and stores this one: the server works while onward does (a 50,000-message
        first scan from Dovecot on loopback spent 10 of its 23 s waiting for the server)."""

        def fetch(batch: list[int]) -> dict[int, dict[bytes, Any]]:
            resp: dict[int, dict[bytes, Any]]
            resp = client.fetch(batch, [b"BODY.PEEK[HEADER]", TEXT_PART, b"RFC822.SIZE"])
            return resp

        if len(batches) < 2:  # nothing to overlap with
            for batch in batches:
                yield batch, fetch(batch)
            return
        ahead = self._ahead = _Ahead(fetch, batches)
        try:
            yield from zip(batches, ahead, strict=True)
        finally:
            if self._ahead is ahead:  # not stopped already, by close() or drop()
                self._stop_fetching()

    def _stop_fetching(self) -> None:
        """End the fetch thread before anything else uses or closes the connection: a scan
        that stopped early (Ctrl-C, a database error) may not have closed its generator, and
        two threads on one TLS connection corrupt it. A thread stuck in a read from a silent
        server is woken by shutting the socket down (closing it would wait for the read's own
        lock), and the connection is then dropped. The thread is let go of only once it has
        ended: a second Ctrl-C during the wait shuts the socket down before it goes on."""
        ahead = self._ahead
        if ahead is None:
            return
        try:
            stopped = ahead.stop()
        except BaseException:
            self._shut_socket()
            raise
        if not stopped:
            self._shut_socket()
            ahead.join()
        self._ahead = None
        if not stopped:
            self.drop()

    def _shut_socket(self) -> None:
        if self._client is not None:
            with suppress(OSError):
                self._client.socket().shutdown(socket.SHUT_RDWR)


_DONE = object()


class _Ahead:
    """`fn(item)` for each item, in order, on one thread, one result ahead of the reader: the
    next is worked out once the reader has taken the last one, so at most two are held (the
    reader's and the next). An exception is raised to the reader where its result would be."""

    def __init__(self, fn: Callable[[Any], Any], items: list[Any]) -> None:
        self._fn, self._items = fn, items
        self._out: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self._taken = threading.Semaphore(1)  # released when the reader takes a result
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="imap-fetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for item in self._items:
            if not self._wait_taken():
                return
            try:
                result = (True, self._fn(item))
            except BaseException as exc:  # handed to the reader, which decides
                result = (False, exc)
            self._out.put(result)
            if not result[0]:
                return
        if self._wait_taken():
            self._out.put((True, _DONE))

    def _wait_taken(self) -> bool:
        while not self._stopped.is_set():
            if self._taken.acquire(timeout=0.1):
                return True
        return False

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                ok, value = self._out.get(timeout=0.1)
            except queue.Empty:
                if self._stopped.is_set() and self._out.empty():
                    # Stopped by the source's close() while this reader was suspended.
                    raise imaplib.IMAP4.abort("the scan's connection was closed") from None
                continue
            self._taken.release()
            if not ok:
                raise value
            if value is _DONE:
                return
            yield value

    def stop(self, wait: float = 1.0) -> bool:
        """Ask the thread to end; whether it did within `wait` seconds."""
        self._stopped.set()
        self._thread.join(wait)
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()
