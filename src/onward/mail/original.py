"""The original bytes of a stored email, read back from where it lives, and its HTML made safe.

Used by the dashboard's "as sent" view; the database keeps only the text. Everything here is
bounded, as the scan is: the bytes read, the MIME parts walked, the HTML handed to the
sanitiser and the time it may take. A message past a bound raises `TooBig`, and the page shows
its stored text instead.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nh3

from onward.errors import OnwardError
from onward.mail.sources.base import MailSource
from onward.mail.sources.mbox import split_mbox

# Images are dropped, not just blocked: a remote image in a recruiter's mail is a read receipt.
_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}

MAX_BYTES = 10 * 1024 * 1024  # of one message read back (a CV attached still fits)
# The stdlib parser recurses once per nested part, so the count is checked on the bytes first.
MAX_PARTS = 200
MAX_MIME_DEPTH = 20
MAX_HTML = 1024 * 1024  # characters of HTML handed to the sanitiser
# An HTML5 tree builder checks its stack of open elements for every tag: time grows with size
# times depth (1 MB of nested <div> took 228 s in nh3; depth 256 over 1 MB takes under 0.4 s).
MAX_TAG_DEPTH = 256
SANITISE_SECONDS = 3.0  # the backstop for markup that fools the cheap depth measure
SANITISE_MEMORY = 1 << 30

_CONTENT_TYPE = re.compile(rb"(?im)^content-type:")
_TAG = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr".split()
)
# Opening one of these closes the open one of its group (<li>a<li>b, <tr><td>a<tr><td>b), as
# browsers do: an unclosed list or table is not a deep one.
_GROUP = {
    name: "#" + group  # "#": no tag's name starts so
    for group, names in {
        "p": "p",
        "li": "li",
        "dl": "dt dd",
        "cell": "td th",
        "tr": "tr",
        "section": "tbody thead tfoot",
        "option": "option",
        "optgroup": "optgroup",
    }.items()
    for name in names.split()
}

TOO_BIG = "This message is too large or too deeply nested to show as sent; here is its text."


class TooBig(OnwardError):
    """A message past one of the bounds above."""

    def __init__(self) -> None:
        super().__init__(TOO_BIG)


def read_original(source: MailSource, folder: str, key: str, uidvalidity: int = 0) -> bytes | None:
    """The message's bytes, None when the source no longer holds it; TooBig past MAX_BYTES."""
    kind = source.kind
    if kind == "mbox":
        path = Path(source.path)  # type: ignore[attr-defined]
        with open(path, "rb") as f:
            for _off, _data, size in split_mbox(f, int(key), 0):
                if size > MAX_BYTES:
                    raise TooBig
                f.seek(int(key))
                return f.read(size)
        return None
    if kind == "maildir":
        for k, p in source.list_files(folder):  # type: ignore[attr-defined]
            if k == key:
                return _read_capped(Path(p))
        return None
    if kind == "eml":
        root = Path(source.root)  # type: ignore[attr-defined]
        path = root if root.is_file() else root / key
        return _read_capped(path) if path.is_file() else None
    if kind == "imap":
        return _imap(source, folder, key, uidvalidity)
    return None


def _read_capped(path: Path) -> bytes:
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooBig
    return data


def _imap(source: Any, folder: str, key: str, uidvalidity: int) -> bytes | None:
    client = source.connect()
    info = client.select_folder(folder, readonly=True)
    if uidvalidity and int(info.get(b"UIDVALIDITY", 0)) != uidvalidity:
        return None
    # A partial fetch: the server sends at most one byte past the bound, whatever the size.
    data = client.fetch([int(key)], [f"BODY.PEEK[]<0.{MAX_BYTES + 1}>"])
    for item in data.values():
        raw = next((v for k, v in item.items() if bytes(k).startswith(b"BODY[]")), None)
        if raw:
            if len(raw) > MAX_BYTES:
                raise TooBig
            return bytes(raw)
    return None


def safe_html(raw: bytes) -> str | None:
    """The message's HTML part, sanitised (no scripts, handlers, javascript: links or images);
    None when it has no HTML; TooBig past a bound."""
    if len(raw) > MAX_BYTES or _count(_CONTENT_TYPE, raw, MAX_PARTS) > MAX_PARTS:
        raise TooBig
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except RecursionError as exc:  # cannot happen under MAX_PARTS; never a 500 if it does
        raise TooBig from exc
    _check_tree(msg)
    try:
        part = msg.get_body(preferencelist=("html",))
        if part is None:
            return None
        html = part.get_content()
    except (LookupError, ValueError, AttributeError):
        return None
    if len(html) > MAX_HTML or nests_deeper_than(html, MAX_TAG_DEPTH):
        raise TooBig
    return clean(html)


def _count(pattern: re.Pattern[bytes], data: bytes, stop: int) -> int:
    n = 0
    for _ in pattern.finditer(data):
        n += 1
        if n > stop:
            break
    return n


def _check_tree(msg: email.message.Message) -> None:
    stack: list[tuple[Any, int]] = [(msg, 0)]
    parts = 0
    while stack:
        part, depth = stack.pop()
        parts += 1
        if depth > MAX_MIME_DEPTH or parts > MAX_PARTS:
            raise TooBig
        if part.is_multipart():
            stack.extend((p, depth + 1) for p in part.get_payload())


def nests_deeper_than(html: str, limit: int) -> bool:
    """Whether the tags nest deeper than `limit`, read in one linear pass.

    An estimate, not a parser: an end tag closes the nearest open one of its name, as browsers
    do for well-formed markup. Markup built to fool it (an end tag inside an attribute) is
    caught by the time limit on the sanitiser instead.
    """
    stack: list[str] = []  # open tags, a group's name standing for its members
    open_by_name: dict[str, int] = {}

    def close(name: str) -> None:
        while (top := stack.pop()) != name:
            open_by_name[top] -= 1
        open_by_name[name] -= 1

    for m in _TAG.finditer(html):
        name = m.group(2).lower()
        if name in _VOID:
            continue
        name = _GROUP.get(name, name)
        end = bool(m.group(1))
        if open_by_name.get(name) and (end or name[0] == "#"):
            close(name)
        if end:
            continue
        stack.append(name)
        open_by_name[name] = open_by_name.get(name, 0) + 1
        if len(stack) > limit:
            return True
    return False


# nh3 cannot be interrupted, so it runs in a child process that can be: a bounded time and
# memory for any markup, at the cost of a process start (about 30 ms) per message shown.
_CHILD = """
import json, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
except (ImportError, ValueError, OSError):
    pass
import nh3
a = json.loads(sys.argv[1])
html = sys.stdin.buffer.read().decode("utf-8", "replace")
out = nh3.clean(html, tags=set(a["tags"]), url_schemes=set(a["schemes"]), link_rel=a["rel"])
sys.stdout.buffer.write(out.encode("utf-8"))
"""


def clean(html: str) -> str:
    policy = {
        "tags": sorted(_TAGS),
        "schemes": ["http", "https", "mailto"],
        "rel": "noopener noreferrer nofollow",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(policy), str(SANITISE_MEMORY)],
            input=html.encode("utf-8", "replace"),
            capture_output=True,
            timeout=SANITISE_SECONDS,
            check=True,
        )
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
        raise TooBig from exc
    return done.stdout.decode("utf-8", "replace")
