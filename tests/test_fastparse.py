"""The fast parse path gives the very `Email` the careful parser gives, or refuses the message.

Every field onward uses is compared (the whole `Email`: message-id, sender, reply-to, to, cc,
date, subject, thread headers, List-* headers, labels, text, HTML flag, attachments,
fingerprint), on the labelled corpus and on generated awkward mail.
"""

from __future__ import annotations

import base64
import csv
import email.message
import quopri
from email.header import Header
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.mail import fastparse
from onward.mail import parse as careful
from onward.mail.parse import parse_careful, parse_message
from onward.mail.prefix import bounded
from tests import hostile
from tests.factory import message

CUTS = (0, 1, 7, 100, 333, 1000, 1001, 4096)


def same_email(raw: bytes, labels: tuple[str, ...] = ()) -> bool:
    """Whether the fast path (when it takes the message) agrees with the careful parser."""
    try:
        fast = fastparse.parse_fast(raw, labels)
    except fastparse.Refused:
        return True
    except Exception:
        fast = None  # parse_message then falls back; the careful result is what counts
    return fast is None or fast == parse_careful(raw, labels)


def assert_same(raw: bytes, labels: tuple[str, ...] = ()) -> None:
    assert parse_message(raw, labels) == parse_careful(raw, labels)
    assert same_email(raw, labels)


def test_the_fast_path_gives_the_careful_email_for_every_corpus_message(corpus: Path) -> None:
    with open(corpus / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    taken = differ = 0
    for row in rows:
        raw = (corpus / row["path"]).read_bytes()
        for data in (bounded(raw), raw, bounded(raw, body_prefix=500)):
            try:
                fast = fastparse.parse_fast(data)
            except fastparse.Refused:
                continue
            taken += 1
            if fast != parse_careful(data):
                differ += 1
                raise AssertionError(f"the fast path differs on {row['path']}")
    assert differ == 0
    assert taken > 0.95 * 3 * len(rows), taken  # the fast path is the one most mail takes


def _mime(ctype: str, cte: str, payload: bytes, extra: str = "") -> bytes:
    return (
        f"From: =?utf-8?q?Ma=C3=AFa?= <maia@example.fr>\nTo: a@b.c, =?iso-8859-1?q?Andr=E9?= "
        f"<andre@x.fr>\nSubject: =?utf-8?b?w4lsaXNl?= and plain\nDate: Tue, 3 Feb 2026 "
        f"09:05:00 +0130\nMessage-ID: <m@x>\n{extra}Content-Type: {ctype}\n"
        f"Content-Transfer-Encoding: {cte}\n\n"
    ).encode() + payload


TEXT = (
    "Thank you for applying. Nous avons bien reçu votre candidature. Спасибо. 応募ありがとう\n" * 40
)


def _awkward() -> list[bytes]:
    out = []
    for charset in ("utf-8", "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "us-ascii"):
        data = TEXT.encode(charset, "replace")
        for cte, payload in (
            ("8bit", data),
            ("base64", base64.encodebytes(data)),
            ("quoted-printable", quopri.encodestring(data)),
        ):
            out.append(_mime(f"text/plain; charset={charset}", cte, payload))
            out.append(_mime(f'text/plain; charset="{charset.upper()}"', cte, payload))
            out.append(_mime(f"text/html; charset={charset}", cte, b"<p>" + payload + b"</p>"))
    lying = "naïve résumé".encode("cp1252")
    out += [
        _mime("text/plain; charset=us-ascii", "8bit", lying),
        _mime("text/plain; charset=utf-8", "8bit", lying),
        _mime("text/plain; charset=x-klingon", "8bit", lying),
        _mime("text/plain; charset=utf-7", "7bit", b"hello +2AA- there"),
        _mime("text/plain; charset*=utf-8''x", "8bit", b"rfc 2231"),
        _mime('text/plain; charset="utf;8"', "8bit", b"quoted semicolon"),
        _mime("text/plain; charset=utf-8 (comment)", "8bit", b"comment"),
        _mime("text/plain;; charset=utf-8;", "8bit", b"empty params"),
        _mime("text/plain; charset", "8bit", b"bare attribute"),
        _mime("text/plain; boundary=x; charset=<utf-8>", "8bit", b"angle quoted"),
        _mime("TEXT/PLAIN; CHARSET=UTF-8", "BASE64", base64.encodebytes(b"upper case")),
        _mime("text", "8bit", b"no subtype"),
        _mime("text/plain/x", "8bit", b"two slashes"),
        _mime("text/plain; charset=utf-8", "base64", b"not base64 at all!!"),
        _mime("text/plain; charset=utf-8", "quoted-printable", b"=E2=8"),
        _mime("text/plain; charset=\xe9", "8bit", b"8-bit charset"),
    ]
    nested = b"Unfortunately not.\n"
    ctype = "text/plain; charset=utf-8"
    for level in range(6):
        nested = (
            f"--n{level}\nContent-Type: {ctype}\n\n".encode()
            + nested
            + f"\n--n{level}--\n".encode()
        )
        ctype = f'multipart/mixed; boundary="n{level}"'
    out.append(_mime(ctype, "7bit", nested))
    alt = email.message.EmailMessage()
    alt["From"] = Header("Zoë Ünïcode <z@x.y>", "utf-8").encode()
    alt["Subject"] = "Re: your application"
    alt.set_content("plain part\n\n\n\twith  gaps  ")
    alt.add_alternative("<html><body><p>html part</p></body></html>", subtype="html")
    alt.add_attachment(b"%PDF" * 500, maintype="application", subtype="pdf", filename="cv.pdf")
    out.append(alt.as_bytes())
    html_only = email.message.EmailMessage()
    html_only["From"] = "x@y.z"
    html_only.set_content("<p>only html</p><script>x</script>", subtype="html")
    out.append(html_only.as_bytes())
    out += [message(i, html=i % 2 == 0, attachment=3000 * (i % 3)) for i in range(12)]
    out.append(message(40, charset="iso-8859-1", body="Café crème " * 300))
    headers = (
        b"From: x@y.z\nX-Gmail-Labels: Inbox,Jobs/Applied\nStatus: RO\nList-Id: <l.x>\n"
        b"List-Unsubscribe: <mailto:u@x>\nAuto-Submitted: auto-replied\nIn-Reply-To: <a@x>\n"
        b'References: <r@x>\n <a@x>\nCc: "Doe, J" <j@x>, k@x\nReply-To: r@x\n'
        b"Date: 31 Feb 2026 10:00:00 -0000\nSubject:   spaced\t  out  \n\nbody"
    )
    out.append(headers)
    out.append(headers.replace(b"\n", b"\r\n"))
    out.append(b"Subject: no body and no blank line")
    out.append(b"From: a\xc3\xa9@x.y\nSubject: raw \xe9 8-bit\nContent-Type: text/plain\n\nx")
    return out


def test_the_fast_path_agrees_on_awkward_generated_mail_whole_and_cut() -> None:
    cases = _awkward()
    for raw in cases:
        assert_same(raw)
        assert_same(raw, ("Jobs", "\\Inbox"))
        for cut in CUTS:
            assert_same(bounded(raw, body_prefix=cut))
            assert_same(raw[: len(raw) - cut])


def test_the_fast_path_takes_ordinary_mail_and_refuses_only_odd_shapes() -> None:
    ordinary = [message(i, html=i % 2 == 0, attachment=2000 * (i % 2)) for i in range(20)]
    for raw in ordinary:
        fastparse.parse_fast(raw)  # raises Refused if it would not take it
    odd = [
        _mime("text/plain; charset*=utf-8''x", "8bit", b"x"),
        _mime('text/plain; charset="utf;8"', "8bit", b"x"),
        _mime("text/plain; charset=\xe9", "8bit", b"x"),
        b"From: x@y.z\nX-Junk: " + b"a" * 100_000 + b"\n\nbody",
    ]
    for raw in odd:
        with pytest.raises(fastparse.Refused):
            fastparse.parse_fast(raw)


def test_the_fast_path_agrees_on_the_hostile_corpus() -> None:
    for raw in hostile.corpus().values():
        assert_same(bounded(raw))
        assert_same(bounded(raw, body_prefix=300))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_the_fast_path_agrees_on_arbitrary_bytes(data: bytes) -> None:
    assert_same(data)


_SEED = message(7, html=True, attachment=3000)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(_SEED) - 1), st.binary(min_size=0, max_size=8)), max_size=12
    )
)
def test_the_fast_path_agrees_on_mutated_mail(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(_SEED)
    for pos, junk in edits:
        data[pos : pos + len(junk)] = junk
    assert_same(bytes(data))
    assert_same(bounded(bytes(data), body_prefix=100))


_WS = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\r", "\x00", "\x0b", "\x1f", "\xa0", "a"])


@given(st.lists(st.one_of(_WS, st.text(max_size=5)), max_size=40).map("".join))
def test_text_tidying_is_the_careful_one(text: str) -> None:
    assert fastparse.tidy_text(text) == careful.tidy_text(text)
    assert fastparse.tidy_text(text, cap=7) == careful.tidy_text(text, cap=7)
    assert fastparse.decode_header(text) == careful.decode_header(text)


DATES = [
    "Wed, 01 Jan 2025 00:00:00 +0000",
    "1 Jan 2025 00:00:00 -0000",
    "Tue, 3 Feb 2026 09:05:00 +0130",
    "Tue, 3 Feb 2026 09:05:00 -0930",
    "Tue, 3 Feb 2026 09:05:00 +0099",
    "Tue, 3 Feb 2026 09:05:00 +9999",
    "Tue, 31 Feb 2026 09:05:00 +0000",
    "Tue, 3 Feb 2026 24:05:00 +0000",
    "Tue, 3 Feb 2026 23:59:60 +0000",
    "Fri, 31 Dec 9999 23:00:00 -0100",
    "Mon, 1 Jan 1000 00:00:00 +0100",
    "Tue, 3 Foo 2026 09:05:00 +0000",
    "Tue, 3 feb 2026 09:05:00 +0000",
    "3 Feb 26 09:05 GMT",
    "Tue,  3 Feb 2026 09:05:00 +0000 (UTC)",
    "",
    "garbage",
]


@pytest.mark.parametrize("value", DATES)
def test_dates_read_as_the_careful_parser_reads_them(value: str) -> None:
    assert fastparse._date(value) == careful._date(value)
    got, want = fastparse._date(value), careful._date(value)
    assert (got.tzinfo if got else None) == (want.tzinfo if want else None)


CONTENT_TYPES = [
    "text/plain",
    "text/plain; charset=utf-8",
    'text/plain; charset="UTF-8"',
    "text/plain;charset=utf-8;format=flowed",
    "text/plain; CHARSET=iso-8859-1; charset=utf-8",
    'multipart/alternative; boundary="=_b123"',
    'multipart/mixed;\n\tboundary="----=_Part_0_1.2"',
    "multipart/mixed; boundary=<abc>",
    'multipart/mixed; boundary="<abc>"',
    "multipart/mixed; boundary=",
    "multipart/mixed; boundary",
    'multipart/mixed; boundary="a""b"',
    "application/pdf; name=cv.pdf",
    "application/pdf; NAME = cv.pdf ",
    "text/plain;;",
    "",
    "text",
]


@pytest.mark.parametrize("value", CONTENT_TYPES)
def test_content_type_parameters_read_as_compat32_reads_them(value: str) -> None:
    msg = email.message.Message()
    msg["Content-Type"] = value
    head = fastparse.Head(b"Content-Type: " + value.encode() + b"\n")
    ctype, params = head.content_type()
    assert ctype == msg.get_content_type()
    for name in ("boundary", "charset", "name", "format"):
        assert params.get(name) == msg.get_param(name)
