from __future__ import annotations

import base64
import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.mail.model import Address
from onward.mail.parse import fingerprint, parse_message
from onward.mail.prefix import bounded, split_head
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


def test_a_display_name_that_decodes_to_an_address_stays_a_name() -> None:
    hostile = b"=?utf-8?q?Jan=C3=A9_=3Cevil=40x=2Ecom=3E?= <jane@acme.com>"
    raw = (
        b"From: " + hostile + b"\nReply-To: " + hostile + b"\nTo: " + hostile + b", me@me.org\n"
        b"Cc: =?utf-8?q?Big_Boss_=3Cceo=40acme=2Ecom=3E=2C_x?= <me@me.org>\nSubject: hi\n\nbody"
    )
    e = parse_message(raw)
    assert e.sender is not None
    assert e.sender.email == "jane@acme.com" and e.sender.name == "Jané <evil@x.com>"
    assert [a.email for a in e.reply_to] == ["jane@acme.com"]
    assert [a.email for a in e.to] == ["jane@acme.com", "me@me.org"]
    assert [(a.name, a.email) for a in e.cc] == [("Big Boss <ceo@acme.com>, x", "me@me.org")]


def test_encoded_names_still_decode_in_every_address_header() -> None:
    raw = (
        b'From: "=?utf-8?q?Ma=C3=AFa?=" <maia@example.fr>\n'
        b"To: =?iso-8859-1?q?Andr=E9?= <andre@example.fr>, =?utf-8?b?w4lsaXNl?= <elise@x.fr>\n\nx"
    )
    e = parse_message(raw)
    assert e.sender == Address("Maïa", "maia@example.fr")
    assert e.to == (Address("André", "andre@example.fr"), Address("Élise", "elise@x.fr"))


def test_control_characters_never_reach_any_field() -> None:
    raw = (
        b"From: =?utf-8?q?Ja=00ne=1B=5B2J?= <ja\x00ne@acme.com>\n"
        b"Reply-To: a\x07b <r\x01@x.y>, =?utf-8?q?=00?= <z@x.y>\n"
        b"To: Sam\x00 <sam@x.y>\nCc: <c\x1b@x.y>\n"
        b"Subject: =?utf-8?q?a=00b?= \x1b]0;title\x07\n"
        b"Message-ID: <id\x00@x.y>\nIn-Reply-To: =?utf-8?q?=3Cp=00@x.y=3E?=\n"
        b"References: <r1\x00@x.y> <r2\x1b[2J@x.y>\nList-Id: l\x00i\x08st\nAuto-Submitted: no\x00\n"
        b"X-Gmail-Labels: In\x00box,Jo\x1bbs\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Body\x00 with\x01NUL\x1b[31m and\ttab\nand newline \x7f"
    )
    e = parse_message(raw)
    texts = [
        e.message_id,
        e.subject,
        e.in_reply_to,
        *e.references,
        e.list_id,
        e.auto_submitted,
        *e.labels,
        e.text,
        *[f for a in (e.sender, *e.reply_to, *e.to, *e.cc) if a for f in (a.name, a.email)],
    ]
    controls = {chr(c) for c in range(32)} - {"\n"}
    assert [t for t in texts if controls & set(t)] == []
    assert e.subject.startswith("ab ") and e.message_id == "<id@x.y>"
    assert e.in_reply_to == "<p@x.y>" and e.references == ("<r1@x.y>", "<r2[2J@x.y>")
    assert e.sender is not None and e.sender.email == "jane@acme.com"
    assert e.text == "Body with NUL [31m and tab\nand newline \x7f"
    labeled = parse_message(raw, labels=("Jo\x00bs", "\\Inbox"))
    assert labeled.labels == ("Jobs", "\\Inbox")


def test_a_lone_surrogate_in_utf7_text_never_loses_the_message() -> None:
    raw = (
        b"From: a@b.c\nMessage-ID: <u7@x>\nSubject: =?utf-7?q?+2AA-?=\n"
        b"Content-Type: text/plain; charset=utf-7\n\nhello +2AA- there"
    )
    e = parse_message(raw)
    assert e.defects == () and e.message_id == "<u7@x>"
    assert e.subject == "?" and e.text == "hello ? there"
