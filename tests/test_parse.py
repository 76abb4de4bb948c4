from __future__ import annotations

import base64
import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.mail.parse import bounded, fingerprint, parse_message, split_head
from tests.factory import message


def test_plain_message_fields() -> None:
    e = parse_message(message(1, subject="Interview next week", body="Can you do Tuesday?"))
    assert e.message_id == "<test-1@onward.test>"
    assert e.subject == "Interview next week"
    assert e.sender is not None and e.sender.email == "no-reply@greenhouse.io"
    assert e.sender.name == "Globex"
    assert e.to[0].email == "sam@example.org"
    assert e.date is not None and e.date.year == 2026
    assert e.text == "Can you do Tuesday?"


def test_html_only_message_becomes_text_without_script() -> None:
    raw = (
        b"From: a@b.c\r\nSubject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>We regret</p>"
        b"<script>alert(1)</script><div>to inform you</div></body></html>"
    )
    e = parse_message(raw)
    assert e.text == "We regret to inform you"
    assert e.has_html


def test_prefers_plain_part_of_alternative() -> None:
    e = parse_message(message(2, body="plain words", html=True))
    assert e.text == "plain words"
    assert e.has_html


def test_base64_body_cut_mid_quantum_still_decodes() -> None:
    body = ("Thank you for applying. " * 2000).encode()
    b64 = base64.encodebytes(body)
    raw = (
        b"From: x@y.z\nSubject: t\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\n" + b64
    )
    e = parse_message(bounded(raw, body_prefix=1001))  # 1001 is not a multiple of 4 or 77
    assert e.text.startswith("Thank you for applying. Thank you")


def test_unknown_and_lying_charsets_never_raise() -> None:
    unknown = (
        b"From: x@y.z\nSubject: =?x-unknown?q?caf=E9?=\n"
        b"Content-Type: text/plain; charset=DEFAULT_CHARSET\n\ncaf\xc3\xa9"
    )
    assert parse_message(unknown).text == "café"
    lying = b"From: x@y.z\nContent-Type: text/plain; charset=us-ascii\n\nna\xefve r\xe9sum\xe9"
    assert parse_message(lying).text == "naïve résumé"  # not UTF-8, so Windows-1252
    bad_utf8 = b"From: x@y.z\nContent-Type: text/plain; charset=utf-8\n\nr\xe9sum\xe9"
    assert "sum" in parse_message(bad_utf8).text


def test_rfc2047_subject_and_sender() -> None:
    raw = (
        b"From: =?utf-8?q?Ma=C3=AFa_Lef=C3=A8vre?= <maia@example.fr>\n"
        b"Subject: =?utf-8?b?Vm90cmUgY2FuZGlkYXR1cmUgY2hleiBMdW1pw6hyZQ==?=\n\nbody"
    )
    e = parse_message(raw)
    assert e.subject == "Votre candidature chez Lumière"
    assert e.sender is not None and e.sender.name == "Maïa Lefèvre"


def test_header_line_breaks_never_survive() -> None:
    raw = (
        b"From: =?utf-8?q?Evil=0D=0ABcc=3A_x=40y=2Ez?= <e@x.y>\nSubject: =?utf-8?q?a=0D=0Ab?=\n\nx"
    )
    e = parse_message(raw)
    assert "\n" not in e.subject and "\r" not in e.subject
    assert e.sender is not None and "\n" not in e.sender.name and "\r" not in e.sender.name


def test_huge_header_and_missing_everything() -> None:
    big = b"From: x@y.z\nX-Junk: " + b"a" * 100_000 + b"\nSubject: still here\n\nbody"
    assert parse_message(big).subject == "still here"
    assert parse_message(b"").message_id == ""
    assert parse_message(b"no headers at all, just text").text == ""


def test_threading_headers() -> None:
    raw = (
        b"From: x@y.z\nMessage-ID: <b@x>\nIn-Reply-To: <a@x>\nReferences: <root@x>\n <a@x>\n\nbody"
    )
    e = parse_message(raw)
    assert e.in_reply_to == "<a@x>"
    assert e.references == ("<root@x>", "<a@x>")


def test_fingerprint_ignores_status_headers_and_line_endings() -> None:
    raw = message(3)
    head, _ = split_head(raw)
    marked = head.replace(b"\n", b"\r\n") + b"Status: RO\r\nX-Mozilla-Status: 0001\r\n"
    assert fingerprint(head) == fingerprint(marked)
    assert fingerprint(head) != fingerprint(split_head(message(4))[0])


def test_gmail_labels_kept() -> None:
    raw = b"From: x@y.z\nX-Gmail-Labels: Inbox,Jobs/Applied,Opened\n\nx"
    assert parse_message(raw).labels == ("Inbox", "Jobs/Applied", "Opened")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    e = parse_message(data)
    assert isinstance(e.text, str) and len(e.fingerprint) == 32


_SEED = message(7, html=True, attachment=3000)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(_SEED) - 1), st.binary(min_size=0, max_size=8)), max_size=12
    )
)
def test_mutated_messages_never_raise(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(_SEED)
    for pos, junk in edits:
        data[pos : pos + len(junk)] = junk
    parse_message(bytes(data))
    parse_message(bounded(bytes(data), body_prefix=100))


def test_every_corpus_message_parses(corpus: Path) -> None:
    with open(corpus / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 10_000
    no_sender = 0
    for row in rows:
        raw = (corpus / row["path"]).read_bytes()
        e = parse_message(bounded(raw))
        assert "unparseable" not in e.defects and not any(d.endswith("Error") for d in e.defects)
        assert e.message_id or row["source"] == "spamassassin", row["path"]
        no_sender += e.sender is None
    assert no_sender < 20
