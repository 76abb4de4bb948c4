"""The scan's fast path from bytes to `Email`: the same algorithm as `parse._parse`, without
`email.message.Message`.

`parse._parse` keeps every header in a compat32 `Message`, whose `get` lowers the name of
every header on every call and whose parameter parser runs a few regexes per call: on the
mail a scan reads that is most of its time, with the text clean-up (a regex match per
word) most of the rest. Here the header block is read once into a dict, the parameters of
simple Content-Type values are split by hand, and the clean-ups match only what they
change. Whatever this path cannot read exactly as `parse._parse` does (parameters with
quotes around a ';', backslashes or RFC 2231 '*', 8-bit bytes in a MIME header, a header
block over `HEAD_LIMIT`), it refuses, and `parse.parse_message` falls back to `_parse`.
tests/test_fastparse.py checks both give the same `Email` on the corpus and on awkward mail.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

from onward.mail import parse as ref
from onward.mail.model import Email
from onward.mail.prefix import split_head

# A longer header block goes the careful way: rare, and it keeps this path's costs small.
HEAD_LIMIT = 64 * 1024


class Refused(Exception):
    """This message has a shape the fast path does not read exactly as `parse._parse` does."""


# A header line and its folded continuation lines, as `parse._headers` splits them.
_FIELD = re.compile(r"^([\x21-\x39\x3b-\x7e]+)[ \t]*:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)", re.M)


class Head:
    """The header fields of a message or part: all of them in order, and the first of each."""

    __slots__ = ("fields", "first", "_ctype")

    def __init__(self, head: bytes) -> None:
        text = head.decode("ascii", "surrogateescape").replace("\r\n", "\n")
        self.fields = _FIELD.findall(text)
        first: dict[str, str] = {}
        for name, value in self.fields:
            first.setdefault(name.lower(), value)
        self.first = first
        self._ctype: tuple[str, dict[str, str]] | None = None

    def mime(self, name: str) -> str | None:
        """A MIME header as compat32's `Message.get` returns it, refused if not ASCII."""
        value = self.first.get(name)
        if value is not None and not value.isascii():
            raise Refused(name)  # compat32 would hand back a `Header` object
        return value

    def content_type(self) -> tuple[str, dict[str, str]]:
        """`get_content_type()` and the parameters `get_param` would find."""
        if self._ctype is None:
            self._ctype = self._content_type()
        return self._ctype

    def _content_type(self) -> tuple[str, dict[str, str]]:
        value = self.mime("content-type")
        if value is None:
            return "text/plain", {}
        main, _, rest = value.partition(";")
        ctype = main.strip().lower()
        if ctype.count("/") != 1:
            ctype = "text/plain"
        return ctype, _params(value)


def _params(value: str) -> dict[str, str]:
    """compat32's `_parseparam` + `decode_params` + `unquote` for values without escapes,
    RFC 2231 names, or quotes holding a ';' (each refused)."""
    if "\\" in value or "*" in value:
        raise Refused("parameter")
    pieces = value.split(";")
    out: dict[str, str] = {}
    if "=" in pieces[0]:
        raise Refused("parameter")  # compat32 would read the type itself as a parameter
    for piece in pieces:
        if piece.count('"') % 2:
            raise Refused("parameter")
    for piece in pieces[1:]:
        name, eq, val = piece.partition("=")
        if not eq:
            out.setdefault(piece.strip().lower(), "")
            continue
        val = val.strip()
        if len(val) > 1 and (
            (val[0] == '"' and val[-1] == '"') or (val[0] == "<" and val[-1] == ">")
        ):
            val = val[1:-1]
        out.setdefault(name.strip().lower(), val)
    return out


def _payload(head: Head, body: bytes) -> bytes:
    cte = (head.mime("content-transfer-encoding") or "").strip().lower()
    try:
        if cte == "base64":
            compact = ref._NOT_B64.sub(b"", body)
            return binascii.a2b_base64(compact[: len(compact) - len(compact) % 4])
        if cte == "quoted-printable":
            return binascii.a2b_qp(body)
    except (binascii.Error, ValueError):
        return b""
    return body


def _parts(head: Head, body: bytes, depth: int = 0) -> Iterator[tuple[Head, bytes]]:
    """`parse._parts`, on `Head`s."""
    ctype, params = head.content_type()
    boundary = params.get("boundary") if ctype.split("/")[0] == "multipart" else None
    if not boundary or depth >= ref.MAX_DEPTH:
        yield head, body
        return
    delim = b"--" + boundary.encode("ascii", "replace")
    chunks = (b"\n" + body).split(b"\n" + delim)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        _, _, chunk = chunk.partition(b"\n")
        part_head, part_body = split_head(chunk)
        if not part_head.strip():
            part_head, part_body = b"", chunk.lstrip(b"\r\n")
        yield from _parts(Head(part_head), part_body, depth + 1)


def _body(head: Head, body: bytes) -> tuple[str, bool, int]:
    """`parse._body`, on `Head`s."""
    plain: str | None = None
    html: str | None = None
    attachments = 0
    for part, data in _parts(head, body):
        ctype, params = part.content_type()
        disposition = (part.mime("content-disposition") or "").lower()
        if "attachment" in disposition or (params.get("name") and ctype[:5] != "text/"):
            attachments += 1
        elif ctype == "text/plain" and plain is None:
            plain = ref.decode_bytes(
                _payload(part, data), params.get("charset", "").lower() or None
            )
        elif ctype == "text/html" and html is None:
            html = ref.decode_bytes(_payload(part, data), params.get("charset", "").lower() or None)
    if plain and plain.strip():
        return plain, html is not None, attachments
    if html:
        return ref.html_to_text(html), True, attachments
    return plain or "", False, attachments


def tidy_text(text: str, cap: int = ref.TEXT_CAP) -> str:
    """`parse.tidy_text`, skipping the whitespace pass when it would change nothing: with no
    control character and no double space, each of its matches is one space put back as one
    space (a regex match per word, most of the old cost)."""
    text = text[: cap * 2]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "  " in text or not text.replace("\n", " ").isprintable():
        text = ref._WS.sub(" ", text)
    text = ref._BLANKS.sub("\n\n", text).strip()
    return text[:cap]


def clean_header(text: str) -> str:
    """`parse._clean_header`, at once for the printable ASCII with no double space most
    headers are (there the clean-up changes nothing but the ends)."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip()
    return ref._clean_header(text)


def decode_header(value: str) -> str:
    """`parse.decode_header` of a str: without "=?" the stdlib finds no encoded word."""
    if "=?" not in value:
        return clean_header(value)
    return ref.decode_header(value)


def _ids(value: str) -> str:
    return decode_header(ref._CONTROL.sub("", value[: ref.FIELD_CAP]))


def _message_id(value: str) -> str:
    text = _ids(value)
    found = ref._MSGID.search(text)
    return found.group(0) if found else text[:250]


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
# "Wed, 01 Jan 2025 00:00:00 +0000": what nearly every Date header says. Anything else goes
# through the stdlib, as in `parse._date`.
_DATE = re.compile(
    r"(?:[A-Za-z]{3}, )?([0-9]{1,2}) ([A-Za-z]{3}) ([1-9][0-9]{3}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"
)


def _date(value: str) -> datetime | None:
    """`parse._date`, reading the common form without the stdlib's general date parser."""
    m = _DATE.fullmatch(value.strip())
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if m is None or month is None:
        return ref._date(value)
    day, _, year, hh, mm, ss, sign, tzh, tzm = m.groups()
    offset = int(tzh) * 3600 + int(tzm) * 60
    try:
        if offset == 0:  # "-0000" says the zone is unknown; onward reads it as UTC
            dt = datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
        else:
            tz = timezone(timedelta(seconds=-offset if sign == "-" else offset))
            dt = datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=tz)
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def parse_fast(raw: bytes, labels: tuple[str, ...] = ()) -> Email:
    """The `Email` `parse._parse` would give, or `Refused`."""
    head_bytes, body = split_head(raw)
    if len(head_bytes) > HEAD_LIMIT:
        raise Refused("header size")
    fp = ref.fingerprint(head_bytes)
    head = Head(head_bytes)
    text, has_html, attachments = _body(head, body)
    h: dict[str, list[str]] = {}
    room: dict[str, int] = {}
    for name, value in head.fields:
        key = name.lower()
        if key in ref._WANTED:
            left = room.get(key)
            if left is None:
                left = ref.LIST_CAP if key in ref._LISTS else ref.FIELD_CAP
            elif left <= 0:
                continue
            room[key] = left - len(value)
            h.setdefault(key, []).append(ref._raw_header(ref._cut(key, value, left)))

    def one(name: str) -> str:
        values = h.get(name)
        return values[0] if values else ""

    all_labels = tuple(ref._CONTROL.sub("", lab) for lab in labels) or tuple(
        lab.strip()
        for v in h.get("x-gmail-labels", [])
        for lab in decode_header(v).split(",")
        if lab.strip()
    )
    senders = ref._addresses(h.get("from", []))
    in_reply_to = one("in-reply-to")
    return Email(
        message_id=_message_id(one("message-id")),
        fingerprint=fp,
        subject=decode_header(one("subject")),
        sender=senders[0] if senders else None,
        reply_to=ref._addresses(h.get("reply-to", [])),
        to=ref._addresses(h.get("to", [])),
        cc=ref._addresses(h.get("cc", [])),
        date=_date(one("date")) if one("date") else None,
        in_reply_to=_message_id(in_reply_to) if in_reply_to else "",
        references=tuple(ref._MSGID.findall(_ids(one("references")))),
        list_id=decode_header(one("list-id"))[:300],
        list_unsubscribe=decode_header(one("list-unsubscribe"))[:500],
        auto_submitted=decode_header(one("auto-submitted"))[:100],
        labels=all_labels,
        text=tidy_text(text),
        has_html=has_html,
        attachments=attachments,
        defects=(),
    )
