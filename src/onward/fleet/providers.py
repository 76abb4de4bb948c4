"""Which queue an account's syncs wait in: one per provider, so a worker's concurrency on that
queue caps the simultaneous connections to the provider (Gmail allows 15 per account and limits
each account's daily IMAP download)."""

from __future__ import annotations

from typing import Any

QUEUES = ("imap-gmail", "imap-outlook", "imap-other", "files")

_HOSTS = {
    "imap-gmail": ("imap.gmail.com", "imap.googlemail.com"),
    "imap-outlook": ("outlook.office365.com", "imap-mail.outlook.com", "imap.outlook.com"),
}


def queue_for(settings: dict[str, Any]) -> str:
    if settings.get("type") != "imap":
        return "files"
    host = str(settings.get("host", "")).strip().lower().rstrip(".")
    for queue, hosts in _HOSTS.items():
        if host in hosts:
            return queue
    return "imap-other"
