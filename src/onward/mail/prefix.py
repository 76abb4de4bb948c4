"""How much of a message onward reads: the whole header block and the start of the body.

The sources cut every message to this before it is parsed, so a 40 MB attachment is never read.
Apart from the parser so that the sources (and `onward scan`'s quick answer, which imports them)
need only these few functions, not the parser's imports."""

from __future__ import annotations

BODY_PREFIX = 16 * 1024  # body bytes a source needs to hand us
HEADER_CAP = 1024 * 1024  # a header block past this is cut (a 100 KB header still fits)


def blank_line(raw: bytes | bytearray) -> tuple[int, int]:
    """Where the header block ends and the body starts: at the first empty line, LF or CRLF;
    a message without one is all header."""
    lf = raw.find(b"\n\n")
    # Only a CRLF blank line before the LF one counts: looking no further saves scanning the
    # whole prefix of every LF message (mbox, Maildir) for a CRLF that cannot come first.
    crlf = raw.find(b"\r\n\r\n", 0, lf + 3 if lf != -1 else len(raw))
    if crlf != -1 and (lf == -1 or crlf < lf):
        return crlf + 2, crlf + 4
    if lf != -1:
        return lf + 1, lf + 2
    return len(raw), len(raw)


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """Split at the first empty line; a message without one is all header."""
    head_end, body_start = blank_line(raw)
    return raw[:head_end], raw[body_start:]


def bounded(raw: bytes, body_prefix: int = BODY_PREFIX) -> bytes:
    """The part of a message the scanner keeps: whole header block, start of the body."""
    head_end, body_start = blank_line(raw)
    head = raw[: min(head_end, HEADER_CAP)]
    sep = b"\r\n" if head.endswith(b"\r\n") else b"\n"
    return head + sep + raw[body_start : body_start + body_prefix]


def prefix_complete(data: bytes, body_prefix: int = BODY_PREFIX) -> bool:
    """Whether `data`, the start of a message, holds all that `bounded` keeps of it."""
    head_end, body_start = blank_line(data)
    if head_end == len(data):  # no end of the header block yet
        return len(data) >= HEADER_CAP
    return len(data) >= body_start + body_prefix
