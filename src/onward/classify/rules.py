"""Phrase lists, the way most job trackers classify mail, kept for two uses: the keyword
baseline that `onward model eval` compares against, and naming phrases in explanations."""

from __future__ import annotations

import re

from onward.mail.model import Email

PHRASES: dict[str, tuple[str, ...]] = {
    "rejection": (
        "unfortunately",
        "regret to inform",
        "not moving forward",
        "not to move forward",
        "move forward with other candidates",
        "decided to pursue other candidates",
        "will not be moving forward",
        "not be progressing",
        "not been selected",
        "position has been filled",
        "decided not to proceed",
        "other candidates whose",
        "not selected",
        "move forward with candidates",
        "decided to move forward with",
        "not the most competitive",
        "will not be moving",
        "not be moving forward",
        "unable to offer you",
        "not been successful",
        "unsuccessful",
        "malheureusement",
        "pas donner suite",
        "ne pas donner suite",
        "suite favorable",
        "pas été retenue",
        "pas été retenu",
        "pas retenu",
        "ne correspond pas",
        "au regret",
        "d'autres candidats",
        "d’autres candidats",
        "autre candidat",
        "ne pas poursuivre",
    ),
    "offer": (
        "pleased to offer",
        "offer letter",
        "job offer",
        "offer of employment",
        "extend an offer",
        "extend a formal offer",
        "proposition d'embauche",
    ),
    "interview": (
        "interview",
        "phone screen",
        "schedule a call",
        "pick a time",
        "your availability",
        "entretien",
        "calendly",
        "vos disponibilités",
        "un créneau",
        "échange téléphonique",
    ),
    "assessment": (
        "assessment",
        "coding challenge",
        "hackerrank",
        "codility",
        "codesignal",
        "take-home",
        "hirevue",
        "online test",
        "test technique",
    ),
    "application_received": (
        "thank you for applying",
        "thanks for applying",
        "received your application",
        "application has been received",
        "application was sent",
        "application received",
        "candidature a été envoyée",
        "bien reçu votre candidature",
        "merci pour votre candidature",
        "candidature bien reçue",
        "merci de votre candidature",
        "nous avons bien reçu",
        "application has been submitted",
        "we have received",
        "we received your",
        "thank you for your application",
        "thanks for your application",
        "thank you for submitting your application",
        "submitting your application",
        "your application was submitted",
        "application was submitted",
        "we got your application",
        "received your resume",
        "in receipt of your resume",
        "will review your application",
    ),
    "job_alert": (
        "job alert",
        "jobs you may be interested",
        "new jobs",
        "recommended jobs",
        "jobs for you",
        "offres pour vous",
        "nouvelles offres",
    ),
    "recruiter_outreach": (
        "came across your profile",
        "open to new opportunities",
        "your profile caught",
        "would you be interested",
    ),
    "other_job": (
        "verify your email",
        "reset your password",
        "candidate account",
        "on hold",
        "upload your documents",
    ),
}
ORDER = (
    "rejection",
    "offer",
    "interview",
    "assessment",
    "application_received",
    "job_alert",
    "recruiter_outreach",
    "other_job",
)
COMPILED = {k: re.compile("|".join(re.escape(p) for p in v)) for k, v in PHRASES.items()}
# One pass over a text finds every kind's phrases (longest phrases first, so a longer one wins).
PHRASE_KIND = {p: k for k, v in PHRASES.items() for p in v}
ANY_PHRASE = re.compile("|".join(re.escape(p) for p in sorted(PHRASE_KIND, key=len, reverse=True)))


def matched_phrases(email: Email) -> dict[str, list[str]]:
    text = (email.subject + "\n" + email.text[:2000]).lower()
    out: dict[str, list[str]] = {}
    for kind, pattern in COMPILED.items():
        hits = sorted(set(pattern.findall(text)))
        if hits:
            out[kind] = hits
    return out


def keyword_kind(email: Email) -> str:
    """The baseline: the first phrase list that matches, in the order trackers check them."""
    hits = matched_phrases(email)
    for kind in ORDER:
        if kind in hits:
            return kind
    return "not_job"
