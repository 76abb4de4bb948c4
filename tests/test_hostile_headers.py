"""Header fields written to be slow: every message is parsed, classified and its employer and
role read in milliseconds, whatever its From, To, Subject or IDs hold (issue 12, item 3)."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.classify.extract import _PAREN, extract
from onward.classify.features import _AT_TOKEN, _email_token
from onward.classify.model import Classifier
from onward.mail.model import Address, Email
from onward.mail.parse import parse_message
from onward.mail.prefix import bounded

BUDGET = 0.050  # seconds per message: parse + classify + extract
CLASSIFIER = Classifier()


def _once(raw: bytes) -> float:
    start = time.perf_counter()
    email = parse_message(bounded(raw))
    CLASSIFIER.classify_many([email])
    extract(email)
    return time.perf_counter() - start


def seconds(raw: bytes) -> float:
    """Time of one message; a slow first run is timed twice more and the fastest kept, so a
    busy machine is not taken for a slow pattern (which is slow every time)."""
    took = _once(raw)
    return took if took < BUDGET else min(took, _once(raw), _once(raw))


def test_the_three_reported_headers_each_take_under_50_ms() -> None:
    reported = {
        "From: a + 100 KB of spaces + b": b"From: a" + b" " * 100_000 + b"b\nSubject: hi\n\nx",
        "Subject: a@a@... (100 KB)": b"From: x@y.com\nSubject: interview " + b"a@" * 50_000,
        "Subject: votre candidature : x (x4,500)": b"From: x@y.com\nSubject: "
        + b"votre candidature : x " * 4_500
        + b"\n\nx",
    }
    seconds(b"From: warm@up.example\nSubject: interview\n\nThank you for applying to Acme.")
    took = {name: round(seconds(raw), 3) for name, raw in reported.items()}
    assert {name: s for name, s in took.items() if s >= BUDGET} == {}


# --- the fuzz: long runs of what the patterns backtrack on, in any header field ---------
PHRASES = [
    "votre candidature : x ",
    "candidature : ab chez ",
    "application to x at ",
    "thank you for applying to ",
    "interest in ",
    "position at ",
    "for the position of ",
    "application for ",
    "to the ",
    "offer: ",
    "l'équipe ",
    "the Acme team ",
    "unfortunately ",
    "with ",
    "welcome to ",
    "postulé au poste de ab chez ",
    "- Acme ",
    "not ",
    "no longer ",
    "regret ",
    "eml-email_",
]
UNITS = [
    " ",
    "\t",
    "\u2003",
    "@",
    "a@",
    "<",
    ">",
    '"',
    "(",
    ")",
    ",",
    ";",
    ":",
    "\\",
    ".",
    "a.",
    "-",
    "=?",
    "?=",
    "=?u?q?",
    "=?utf-8?q?a?= ",
    "\n ",
    "Aa ",
    "A",
    *PHRASES,
]


@st.composite
def runs(draw: st.DrawFn) -> str:
    """A few long runs of one unit each, with short text between them."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        unit = draw(st.sampled_from(UNITS))
        chars = draw(st.sampled_from([2_000, 20_000, 120_000]))
        parts.append(draw(st.text(max_size=8)) + unit * (chars // len(unit)))
    return "".join(parts) + draw(st.sampled_from(["", "b", "Acme", "a@b.com", ">", ")"]))


NORMAL = {
    "From": "Acme Careers <no-reply@greenhouse.io>",
    "To": "Sam <sam@example.org>",
    "Subject": "Your application to Acme",
    "Reply-To": "jobs@acme.example",
    "Message-ID": "<a1@acme.example>",
    "References": "<r0@acme.example>",
}


def build(fields: dict[str, str], body: str) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in fields.items())
    return (head + "Content-Type: text/plain; charset=utf-8\n\n" + body).encode(
        "utf-8", "surrogatepass"
    )


@settings(
    max_examples=60,
    deadline=None,  # the budget is asserted below, on the message's own time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hostile=st.dictionaries(st.sampled_from([*NORMAL, "Body"]), runs(), min_size=1, max_size=3))
def test_hostile_header_fields_each_take_under_50_ms(hostile: dict[str, str]) -> None:
    fields = {name: hostile.get(name, value) for name, value in NORMAL.items()}
    body = hostile.get("Body", "Thank you for applying.") + "\nWe will be in touch."
    took = seconds(build(fields, body))
    assert took < BUDGET, f"{took * 1000:.0f} ms for hostile {sorted(hostile)}"


# --- the linear patterns find what the old ones found ----------------------------------
OLD_EMAIL = re.compile(r"(?<!\S)\S+@\S+\.\w+")
OLD_PAREN = re.compile(r"\s*\([^)]*\)")


@settings(max_examples=3000)
@given(st.text(alphabet=st.sampled_from(list("a@._-1é, \n\u00a0\u2003>")), max_size=40))
def test_addresses_in_words_are_found_exactly_as_the_old_pattern_found_them(text: str) -> None:
    assert _AT_TOKEN.sub(_email_token, text) == OLD_EMAIL.sub(" xemail ", text)


@settings(max_examples=3000)
@given(st.text(alphabet=st.sampled_from(list("a() \n\u2003x")), max_size=30))
def test_parentheses_leave_a_name_exactly_as_the_old_pattern_left_it(name: str) -> None:
    closed = name.rfind(")") + 1
    assert _PAREN.sub("", name[:closed]) + name[closed:] == OLD_PAREN.sub("", name)


@pytest.mark.parametrize(
    "text",
    [
        "interview " + "a@" * 50_000,
        "votre candidature : x " * 4_500,
        "interest in Acme " + "(" * 100_000,
        "interest in Acme" + "\u2003" * 100_000 + "x",
        "to the" + " " * 100_000 + "x",
    ],
    ids=["at-signs", "votre-candidature", "open-parens", "wide-spaces", "spaces"],
)
def test_classifying_a_stored_100_kb_subject_or_name_is_linear(text: str) -> None:
    """An email read back from the database never went through today's caps: the patterns
    themselves must be linear."""
    subject = Email("<x@y>", "f", subject=text, sender=Address("Acme", "a@acme.example"))
    name = Email("<x@y>", "f", subject="job", sender=Address(text, "a@acme.example"))
    for email in (subject, name):
        start = time.perf_counter()
        CLASSIFIER.classify_many([email])
        extract(email)
        assert time.perf_counter() - start < 0.25
