"""Sync one account of one person: the scanner a single person's `onward scan` runs (a
checkpoint per chunk: mailbox, UIDVALIDITY, UIDNEXT), then classification and linking, all
in that person's schema. A worker killed at any point leaves every committed chunk whole and its
checkpoint with it; the next sync carries on from there."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from onward.accounts import account_source
from onward.config import ConfigError, parse_account
from onward.errors import MailError
from onward.mail.sources import LoginRefused, MissingFolder
from onward.scan import Scanner, classifier_loader, link_new_mail
from onward.secrets import SecretError
from onward.store.db import Store
from onward.store.fleet import Fleet, FleetAccount, person_store


class SyncRetry(MailError):
    """The sync failed in a way that may pass (a dropped connection, a server that did not
    answer): the queue tries again later."""


@dataclass(frozen=True)
class SyncResult:
    outcome: str  # "synced", "gone" (the account or its person was removed), "needs owner"
    scanned: int = 0
    new: int = 0
    seconds: float = 0.0
    error: str = ""
    stored: int | None = None  # the account's emails, counted again after a sync cut short


def sync_account(fleet: Fleet, account_id: int) -> SyncResult:
    """Sync the account now. Raises `SyncRetry` for a failure worth retrying; a refused
    password or token marks the account as needing its owner instead, and is not retried."""
    acc = fleet.account(account_id)
    if acc is None:
        return SyncResult("gone")
    if acc.needs_owner:
        return SyncResult("needs owner", error="the account waits for its owner")
    with fleet.person_lock(acc.person_id):
        began = time.monotonic()
        fleet.started(account_id, datetime.now(UTC))
        store = person_store(fleet.url, acc.schema)
        try:
            result = _sync(fleet, acc, store)
        finally:
            store.close()
    seconds = time.monotonic() - began
    if result.outcome == "synced":
        fleet.succeeded(account_id, datetime.now(UTC), result.new, seconds, result.stored)
    return replace(result, seconds=seconds)


def _sync(fleet: Fleet, acc: FleetAccount, store: Store) -> SyncResult:
    try:
        account = parse_account(acc.name, acc.settings)
        source, folders = account_source(account)
        scanner = Scanner(store, workers=1, load_classifier=classifier_loader(store))
        summary = scanner.run(source, folders)
    except (SecretError, ConfigError) as exc:
        fleet.failed(acc.id, str(exc), needs_owner=True)
        return SyncResult("needs owner", error=str(exc))
    refused = next((e for e in summary.exceptions if isinstance(e, LoginRefused)), None)
    if refused is not None:
        fleet.failed(acc.id, str(refused), needs_owner=True)
        return SyncResult("needs owner", error=str(refused))
    if summary.failed and all(isinstance(e, MissingFolder) for e in summary.exceptions):
        # Not there on the next try either: a folder renamed or removed is the owner's call.
        problem = summary.problems[0] if summary.problems else "no folder to read"
        fleet.failed(acc.id, problem, needs_owner=True)
        return SyncResult("needs owner", error=problem)
    if summary.failed:
        problem = summary.problems[0] if summary.problems else "the sync failed"
        fleet.failed(acc.id, problem, needs_owner=False)
        raise SyncRetry(problem)
    # Linking reads every email not yet linked: after new mail, or when the last sync was cut
    # short between storing mail and linking it. Nothing new, nothing cut short: no query.
    if summary.new or acc.interrupted:
        link_new_mail(store)
    # A sync cut short stored chunks it never got to count: count the account's mail afresh.
    stored = store.count_emails(source.name) if acc.interrupted else None
    return SyncResult("synced", summary.scanned, summary.new, stored=stored)
