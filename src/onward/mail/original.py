"""The original bytes of a stored email, read back from where it lives, and its HTML made safe.

Used by the dashboard's "as sent" view; the database keeps only the text.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from typing import Any

import nh3

from onward.mail.sources.base import MailSource
from onward.mail.sources.mbox import split_mbox

# Images are dropped, not just blocked: a remote image in a recruiter's mail is a read receipt.
_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}


def read_original(source: MailSource, folder: str, key: str, uidvalidity: int = 0) -> bytes | None:
    kind = source.kind
    if kind == "mbox":
        path = Path(source.path)  # type: ignore[attr-defined]
        with open(path, "rb") as f:
            for _off, _data, size in split_mbox(f, int(key), 0):
                f.seek(int(key))
                return f.read(size)
        return None
    if kind == "maildir":
        for k, p in source.list_files(folder):  # type: ignore[attr-defined]
            if k == key:
                return Path(p).read_bytes()
        return None
    if kind == "eml":
        root = Path(source.root)  # type: ignore[attr-defined]
        path = root if root.is_file() else root / key
        return path.read_bytes() if path.is_file() else None
    if kind == "imap":
        return _imap(source, folder, key, uidvalidity)
    return None


def _imap(source: Any, folder: str, key: str, uidvalidity: int) -> bytes | None:
    client = source.connect()
    info = client.select_folder(folder, readonly=True)
    if uidvalidity and int(info.get(b"UIDVALIDITY", 0)) != uidvalidity:
        return None
    data = client.fetch([int(key)], ["BODY.PEEK[]"])
    for item in data.values():
        raw = item.get(b"BODY[]")
        if raw:
            return bytes(raw)
    return None


def safe_html(raw: bytes) -> str | None:
    """The message's HTML part, sanitised (no scripts, handlers, javascript: links or images);
    None when it has no HTML."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        part = msg.get_body(preferencelist=("html",))
        if part is None:
            return None
        html = part.get_content()
    except (LookupError, ValueError, AttributeError):
        return None
    return clean(html)


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
