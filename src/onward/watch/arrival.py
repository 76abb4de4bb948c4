"""What `onward watch` does when mail lands: notify, draft the follow-up, file it once read.

Everything that changes the mailbox is off unless the config turns it on: drafts with
`[followup] before_archive = "draft"`, archiving with `[watch] archive = true`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from onward.actions import checkin as ck
from onward.actions.archive import DEFAULT_FOLDER, DEFAULT_MIN_CONFIDENCE, ArchiveOptions
from onward.config import Config
from onward.mail.movers import Mover
from onward.mail.sources.maildir import maildir_key
from onward.store import Store
from onward.watch.notices import Outbox, confident, names, notice_for
from onward.watch.notify import Notifier

Say = Callable[[str], None]
SEEN = b"\\Seen"


@dataclass
class Waiting:
    """A rejection to file once the person has read it (or once its delay has passed)."""

    email_id: int
    account: str
    folder: str
    uid: int
    since: float  # monotonic
    maildir: Path | None = None  # for a Maildir account: where its flags can be read
    key: str = ""


def quiet_hours(config: Config) -> str:
    """[watch] quiet_hours, or the check-in's when the watch sets none."""
    watch = config.watch.quiet_hours
    return watch if watch is not None else config.checkin.quiet_hours


def maildir_seen(base: Path, key: str) -> bool | None:
    """Whether a Maildir message is read (the S flag after ":2,"), or None when it is gone."""
    for sub in ("cur", "new"):
        try:
            names = [p.name for p in (base / sub).iterdir()]
        except OSError:
            continue
        for name in names:
            if maildir_key(name) == key:
                _, _, flags = name.partition(":2,")
                return "S" in flags
    return None


class ArrivalActions:
    def __init__(
        self,
        config: Config,
        store: Store,
        notifier: Notifier,
        say: Say,
        lock: threading.Lock | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        self.config = config
        self.store = store
        self.notifier = notifier
        self.say = say
        self.clock = clock
        self.lock = lock or threading.Lock()
        self.outbox = Outbox()
        self.waiting: dict[int, Waiting] = {}
        self._read_settings()
        self._config_mtime = self._mtime()

    # settings ----------------------------------------------------------------------------
    def _read_settings(self) -> None:
        watch, archive = self.config.watch, self.config.archive
        self.quiet_span = quiet_hours(self.config)
        self.min_confidence = (
            archive.min_confidence if archive.min_confidence is not None else DEFAULT_MIN_CONFIDENCE
        )
        self.archive_folder = archive.folder if archive.folder is not None else DEFAULT_FOLDER
        self.archive_on = watch.archive
        delay = watch.archive_delay_minutes
        self.archive_delay = delay * 60 if delay else None
        self.draft_on = self.config.followup.before_archive == "draft"

    def _mtime(self) -> float:
        try:
            return self.config.paths.config_file.stat().st_mtime
        except OSError:
            return 0.0

    def _reload_if_changed(self) -> None:
        """The person may change quiet hours while the watch runs: take the new ones."""
        mtime = self._mtime()
        if mtime != self._config_mtime:
            self._config_mtime = mtime
            in_force = self.config
            try:
                self.config = Config.load(self.config.paths)
                self._read_settings()  # a wrong value is found here, when a section is read
            except Exception as exc:  # a half-edited file: keep the settings in force
                self.config = in_force
                self._read_settings()
                self.say(f"The config could not be read again, so nothing changed ({exc}).")

    def quiet_now(self) -> bool:
        return ck.quiet(self.clock(), self.quiet_span)

    # on arrival --------------------------------------------------------------------------
    def arrived(self, account: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            notice = notice_for(row, self.min_confidence)
            if notice is not None:
                shown = self.outbox.offer(notice, self.quiet_now())
                if not shown:
                    self.say(f"Held until quiet hours end: a notice about {names(row)[0]}.")
                for n in shown:
                    self.notifier.send(n)
            if row.get("kind") == "rejection" and confident(row, self.min_confidence):
                if self.draft_on:
                    self._draft(row)
                if self.archive_on:
                    self._wait_for_reading(account, row)

    def _draft(self, row: dict[str, Any]) -> None:
        from onward.actions import followup as fu
        from onward.mail.outbox import DraftError

        who = names(row)[0]
        try:
            draft = fu.prepare(self.config, row, store=self.store)
            if draft.choice.foreign:
                self.say(
                    f"No follow-up drafted for {who}: {draft.choice.note} "
                    f"`onward followup --email {row['id']}` drafts it when you are sure."
                )
                return
            where = fu.store_draft(self.config, self.store, draft)
        except DraftError as exc:
            self.say(f"No follow-up drafted for {who}: {exc}")
            return
        except Exception as exc:  # a draft that fails never stops the watch
            self.say(
                f"No follow-up drafted for {who}: it could not be made ({type(exc).__name__})."
            )
            return
        self.say(f"Drafted a follow-up to {who} in {where}.")

    def _wait_for_reading(self, account: str, row: dict[str, Any]) -> None:
        try:
            uid = int(row["key"])
        except (TypeError, ValueError):
            uid = 0  # a file on disk has no UID: only the delay can file it
        self.waiting[int(row["id"])] = Waiting(
            int(row["id"]),
            account,
            str(row["folder"]),
            uid,
            time.monotonic(),
            self._maildir(account, str(row["folder"])),
            str(row["key"]),
        )
        when = "once you have read it"
        if self.archive_delay is not None:
            when += f" or in {self.archive_delay / 60:g} minutes"
        self.say(f"{names(row)[0]}'s reply will be filed into {self.archive_folder} {when}.")

    def _maildir(self, account: str, folder: str) -> Path | None:
        acc = self.config.find_account(account)
        if acc is None or acc.kind != "maildir" or acc.path is None:
            return None
        root = acc.path
        return root if folder in ("", "INBOX") else root / f".{folder}"

    # on the clock and on flags -----------------------------------------------------------
    def tick(self) -> None:
        self._reload_if_changed()
        for n in self.outbox.release(self.quiet_now()):
            self.notifier.send(n, late=True)
        now = time.monotonic()
        due = []
        for w in list(self.waiting.values()):
            read = maildir_seen(w.maildir, w.key) if w.maildir is not None else False
            if read is None:  # moved or deleted by the person: theirs to keep
                del self.waiting[w.email_id]
            elif read or (self.archive_delay is not None and now - w.since >= self.archive_delay):
                due.append(w)
        for account in sorted({w.account for w in due}):
            self._archive(account, [w for w in due if w.account == account])

    def seen_check(self, account: str, client: Any, folder: str) -> None:
        """With `folder` selected on the watch's own connection: file what has been read."""
        with self.lock:
            mine = [
                w
                for w in self.waiting.values()
                if w.account == account and w.folder == folder and w.uid
            ]
            if not mine:
                return
            flags = client.get_flags([w.uid for w in mine])
            for w in mine:
                if w.uid not in flags:  # moved or deleted by the person: theirs to keep
                    del self.waiting[w.email_id]
            read = [w for w in mine if SEEN in flags.get(w.uid, ())]
            if read:
                self._archive(account, read)

    def _archive(self, account: str, items: list[Waiting]) -> None:
        from onward.actions.archive import archive
        from onward.store.journal import Journal

        options = ArchiveOptions(
            folder=self.archive_folder,
            min_confidence=self.min_confidence,
            only=frozenset(w.email_id for w in items),
            source=account,
        )
        report = archive(Journal(self.store), self._mover, options)
        for w in items:
            self.waiting.pop(w.email_id, None)
        for problem in report.problems:
            self.say(problem)
        if report.moved:
            batch = report.batches[-1] if report.batches else None
            undo = f" (`onward undo {batch}` puts it back)" if batch else ""
            n = len(report.moved)
            what = "1 rejection you have read" if n == 1 else f"{n} rejections you have read"
            self.say(f"Filed {what} into {self.archive_folder}{undo}.")

    def _mover(self, account: str) -> Mover:
        from onward import accounts
        from onward.mail.movers import mover_for

        source, _folders = accounts.source_for(self.config, account)
        return mover_for(source)
