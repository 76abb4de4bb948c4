"""Bytes to `Email`: the fast, bounded, never-raising parser.

Scanning parses only the header block and a bounded prefix of the body with the
compat32 policy: measured here at 2-5x the speed of `policy.default`, with the same
subject, sender and body start on real mail (see shared notes on parsing speed).
A message a person opens gets a full parse elsewhere; the scan never needs it.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.header
import email.message
import email.utils
import hashlib
import re
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from onward.mail.model import Address, Email

TEXT_CAP = 4000  # characters of body text kept per message
BODY_PREFIX = 16 * 1024  # body bytes a source needs to hand us
HEADER_CAP = 1024 * 1024  # a header block past this is cut (a 100 KB header still fits)

# Headers that mail clients rewrite in place (read status, labels, sync ids). They are
# left out of the fingerprint so that marking a message read in Thunderbird does not
# make the next scan see a new message.
_VOLATILE = frozenset(
    {
        "status", "x-status", "x-keywords", "x-uid", "x-mozilla-status", "x-mozilla-status2",
        "x-mozilla-keys", "x-gmail-labels", "x-tuid", "lines", "content-length", "x-imapbase",
    }
)
_MSGID = re.compile(r"<[^<>\s]+>")
_WS = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n+")


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """Split at the first empty line; a message without one is all header."""
    lf = raw.find(b"\n\n")
    crlf = raw.find(b"\r\n\r\n")
    if crlf != -1 and (lf == -1 or crlf < lf):
        return raw[: crlf + 2], raw[crlf + 4 :]
    if lf != -1:
        return raw[: lf + 1], raw[lf + 2 :]
    return raw, b""


def bounded(raw: bytes, body_prefix: int = BODY_PREFIX) -> bytes:
    """The part of a message the scanner keeps: whole header block, start of the body."""
    head, body = split_head(raw)
    if len(head) > HEADER_CAP:
        head = head[:HEADER_CAP]
    sep = b"\r\n" if head.endswith(b"\r\n") else b"\n"
    return head + sep + body[:body_prefix]


def fingerprint(head: bytes) -> str:
    """Hash of the header block without volatile headers, line endings normalised."""
    h = hashlib.sha256()
    keep = True
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if keep:
                h.update(line.strip())
            continue
        name, _, _ = line.partition(b":")
        keep = name.strip().lower().decode("latin-1") not in _VOLATILE
        if keep:
            h.update(b"\n" + line.rstrip())
    return h.hexdigest()[:32]


def decode_header(value: object) -> str:
    """RFC 2047 words to text; bad encodings degrade to replacement characters."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    text = str(value)
    try:
        parts = email.header.decode_header(text)
    except Exception:
        return _clean_header(text)
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    joined = "".join(out) if any(isinstance(c, bytes) for c, _ in parts) else " ".join(out)
    return _clean_header(joined)


def _clean_header(text: str) -> str:
    # A header can never smuggle a line break into anything built from it later.
    text = text.replace("\r", " ").replace("\n", " ")
    return _WS.sub(" ", text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")).strip()


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, but never trust it blindly."""
    name = (charset or "").strip().strip('"').lower() or "us-ascii"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        codec = "unknown"
    if codec in ("ascii", "unknown"):
        # Undeclared or unknown: most real mail is UTF-8, the rest mostly Windows-1252.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(codec, "replace")
    except Exception:
        return data.decode("latin-1")


def _addresses(values: list[str]) -> tuple[Address, ...]:
    out: list[Address] = []
    try:
        pairs = email.utils.getaddresses([decode_header(v) for v in values])
    except Exception:
        return ()
    for name, addr in pairs:
        addr = addr.strip().strip("<>").lower()
        if addr or name:
            out.append(Address(name=name.strip().strip('"'), email=addr))
    return tuple(out)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(str(value))
    except Exception:
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _payload(part: email.message.Message) -> bytes:
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte == "base64":
        raw = part.get_payload(decode=False)
        if not isinstance(raw, str):
            return b""
        compact = re.sub(r"[^A-Za-z0-9+/=]", "", raw)
        compact = compact[: len(compact) - len(compact) % 4]  # cut prefix to whole quanta
        try:
            return base64.b64decode(compact)
        except (binascii.Error, ValueError):
            return b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def html_to_text(html: str) -> str:
    tree = HTMLParser(html)
    for node in tree.css("script, style, head, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    return root.text(separator=" ", strip=True)


def _body(msg: email.message.Message) -> tuple[str, bool, int]:
    plain: str | None = None
    html: str | None = None
    attachments = 0
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = str(part.get("content-disposition", "")).lower()
        if "attachment" in disposition or (part.get_param("name") and ctype[:5] != "text/"):
            attachments += 1
            continue
        if ctype == "text/plain" and plain is None:
            plain = decode_bytes(_payload(part), part.get_content_charset())
        elif ctype == "text/html" and html is None:
            html = decode_bytes(_payload(part), part.get_content_charset())
    if plain and plain.strip():
        return plain, html is not None, attachments
    if html:
        return html_to_text(html), True, attachments
    return plain or "", False, attachments


def tidy_text(text: str, cap: int = TEXT_CAP) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _WS.sub(" ", text)
    text = _BLANKS.sub("\n\n", text).strip()
    return text[:cap]


def _message_id(value: object) -> str:
    text = decode_header(value)
    found = _MSGID.search(text)
    return found.group(0) if found else text[:250]


def parse_message(raw: bytes, labels: tuple[str, ...] = ()) -> Email:
    """Parse a message (or its bounded prefix). Never raises: broken input is recorded as defects."""
    head, _ = split_head(raw)
    fp = fingerprint(head[:HEADER_CAP])
    try:
        return _parse(raw, fp, labels)
    except Exception as exc:  # the parser's promise is that a scan never stops on one message
        return Email(message_id="", fingerprint=fp, labels=labels, defects=(type(exc).__name__,))


def _parse(raw: bytes, fp: str, labels: tuple[str, ...]) -> Email:
    msg = email.message_from_bytes(raw)
    text, has_html, attachments = _body(msg)
    gm = msg.get_all("x-gmail-labels") or []
    all_labels = labels or tuple(
        lab.strip() for v in gm for lab in decode_header(v).split(",") if lab.strip()
    )
    senders = _addresses(msg.get_all("from") or [])
    refs = tuple(_MSGID.findall(decode_header(msg.get("references"))))
    defects = {type(d).__name__ for part in msg.walk() for d in getattr(part, "defects", [])}
    return Email(
        message_id=_message_id(msg.get("message-id")),
        fingerprint=fp,
        subject=decode_header(msg.get("subject")),
        sender=senders[0] if senders else None,
        reply_to=_addresses(msg.get_all("reply-to") or []),
        to=_addresses(msg.get_all("to") or []),
        cc=_addresses(msg.get_all("cc") or []),
        date=_date(msg.get("date")),
        in_reply_to=_message_id(msg.get("in-reply-to")) if msg.get("in-reply-to") else "",
        references=refs,
        list_id=decode_header(msg.get("list-id"))[:300],
        list_unsubscribe=decode_header(msg.get("list-unsubscribe"))[:500],
        auto_submitted=decode_header(msg.get("auto-submitted"))[:100],
        labels=all_labels,
        text=tidy_text(text),
        has_html=has_html,
        attachments=attachments,
        defects=tuple(sorted(defects)),
    )
