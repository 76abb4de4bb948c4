"""A role keeps its head noun: a hyphen inside a word, the dot of "Sr." or of a French
inclusive ending does not cut a title short (issue 14: "Full" for "Full-Stack Developer")."""

from __future__ import annotations

import pytest

from onward.classify.extract import extract_role
from onward.mail.model import Email


def role_in(text: str, subject: str = "") -> str:
    return extract_role(Email(message_id="<r@t>", fingerprint="f", subject=subject, text=text))


@pytest.mark.parametrize(
    ("text", "role"),
    [
        (
            "Thank you for your application for Full-Stack Developer at Quillsoft.",
            "Full-Stack Developer",
        ),
        (
            "We received your application for Back-end Developer with Fern & Fig.",
            "Back-end Developer",
        ),
        ("your application for Sr. Support Engineer at Quillsoft", "Sr. Support Engineer"),
        ("Thanks for applying for the Jr. Backend Developer position.", "Jr. Backend Developer"),
        ("Your application for Data Science Co-op has been received.", "Data Science Co-op"),
        (
            "Votre candidature pour le poste de Développeur Back-End chez Acme",
            "Développeur Back-End",
        ),
        (
            "Votre candidature au poste de Développeur.se Backend chez Acme",
            "Développeur.se Backend",
        ),
        (
            'reçu votre candidature pour le poste de "Consultant.e Data Engineer", nous',
            "Consultant.e Data Engineer",
        ),
    ],
)
def test_a_title_keeps_its_head_noun(text: str, role: str) -> None:
    assert role_in(text) == role


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("your application for Senior Support Engineer at Quillsoft", "Senior Support Engineer"),
        ("for the role of Backend Developer (m/w/d)", "Backend Developer"),
        (
            "your application for Senior Support Engineer - EMEA at Quillsoft",
            "Senior Support Engineer",
        ),
        ("your application for Digital Data Analyst-25839528 at Acme", "Digital Data Analyst"),
        ("Thank you for applying for Backend Developer. We will be in touch.", "Backend Developer"),
        (
            "Votre candidature pour le poste d'Ingénieur Support Senior. Nous",
            "Ingénieur Support Senior",
        ),
        ("Votre candidature pour le poste de Data Engineer (H/F) chez Acme", "Data Engineer"),
    ],
)
def test_a_title_still_ends_where_the_sentence_or_a_separator_does(text: str, role: str) -> None:
    assert role_in(text) == role


def test_a_subject_names_a_hyphenated_role_whole() -> None:
    assert role_in("", subject="Interview invitation: Full-Stack Developer at Acme") == (
        "Full-Stack Developer"
    )
