"""One wake-up: the existing incremental scan of one account, then linking, then arrivals.

Every account's watcher calls `Waker.wake` from its own thread; the lock makes the store
and the classifier see one wake-up at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from onward.mail.sources import MailSource, SourceError
from onward.mail.sources.base import KnownKeys, ScanItem
from onward.scan import Scanner, link_new_mail
from onward.store import Store
from onward.store import emails as stored
from onward.watch.plan import counts_sentence

Say = Callable[[str], None]
Arrivals = Callable[[str, list[dict[str, Any]]], None]


class ScanFailed(SourceError):
    """Every folder of the account failed: the connection is gone, so reconnect."""


class KeepOpen:
    """The scan closes its source when it is done; the watcher keeps that connection for
    IDLE, so an account holds one connection, not one per wake-up."""

    def __init__(self, source: MailSource) -> None:
        self.source = source
        self.name = source.name
        self.kind = source.kind

    def folders(self, wanted: list[str] | None = None) -> list[str]:
        return self.source.folders(wanted)

    def scan(self, folder: str, state: dict[str, Any], known: KnownKeys) -> Iterator[ScanItem]:
        return self.source.scan(folder, state, known)

    def close(self) -> None:
        pass


class Waker:
    def __init__(
        self,
        store: Store,
        classifier: Any,
        say: Say,
        arrivals: Arrivals | None = None,
        recent_hours: float = 24.0,
    ) -> None:
        self.store = store
        self.classifier = classifier
        self.say = say
        self.arrivals = arrivals
        self.recent = timedelta(hours=recent_hours)
        self.lock = threading.Lock()

    def wake(self, name: str, source: MailSource, folders: list[str] | None) -> int:
        """Scan `name` now; the number of new messages stored."""
        with self.lock:
            mark = self._last_id()
            summary = Scanner(self.store, workers=1, classifier=self.classifier).run(
                KeepOpen(source), folders
            )
            if summary.failed:
                raise ScanFailed(summary.problems[0] if summary.problems else "The scan failed.")
            for problem in summary.problems:
                self.say(f"{name}: {problem}")
            if not summary.new:
                return 0
            self._link()
            rows = self.new_rows(name, mark)
            self.say(f"{name}: {summary.new} new ({counts_sentence(summary.kinds)}).")
            fresh = [r for r in rows if self._fresh(r)]
            if fresh and self.arrivals is not None:
                self.arrivals(name, fresh)
            return summary.new

    def behind(self, name: str, folder: str, selected: dict[bytes, Any]) -> bool:
        """Whether a SELECT shows mail the last scan of `folder` did not store."""
        with self.lock:
            state = self.store.folder_state(name, folder)
        uidnext = int(selected.get(b"UIDNEXT", 0))
        uidvalidity = int(selected.get(b"UIDVALIDITY", 0))
        return (uidnext, uidvalidity) != (state.get("uidnext"), state.get("uidvalidity"))

    def _link(self) -> None:
        link_new_mail(self.store)  # the same linking a scan does after storing

    def _last_id(self) -> int:
        return stored.last_id(self.store)

    def new_rows(self, name: str, after: int) -> list[dict[str, Any]]:
        """The emails this wake-up stored for `name`, named as their application is."""
        return stored.arrived(self.store, name, after)

    def _fresh(self, row: dict[str, Any]) -> bool:
        """New to the store and recent: a first catch-up of a whole mailbox announces nothing."""
        sent = row.get("sent_at")
        if sent is None:
            return True
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        return bool(datetime.now(UTC) - sent <= self.recent)
