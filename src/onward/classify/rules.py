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


# onward's own cues, beyond the trackers' phrase lists (so the keyword baseline stays theirs):
# patterns for how a decision is worded, in English and French, that a fixed phrase misses
# ("we won't be moving forward", "n'a pas été retenue"), and the template names job boards put
# in their links (LinkedIn's `trk=eml-email_jobs_application_rejected_01`), which say what a
# notification is in any language even when its text is only a footer.
CUES: dict[str, tuple[str, ...]] = {
    "rejection": (
        r"\b(?:won't|will not|would not|wouldn't|are not|aren't|not be|decided not to|decision "
        r"not to|decision to not|chosen not to|unable to)\s+(?:be\s+)?(?:moving|move|proceeding|"
        r"proceed|progressing|progress|advancing|advance|continuing|continue|pursuing|pursue)"
        r"\b(?! to schedule| with (?:your|the|scheduling) interview)",
        r"\bno longer (?:being |be )?(?:considered|under consideration|in consideration)\b",
        r"\b(?:position|role|job|opening|requisition|vacancy)\b[^.\n]{0,80}?\b(?:has|have) been "
        r"(?:filled|closed|cancell?ed)\b",
        r"\bregret (?:to (?:inform|say|let you know|tell|advise)|that)\b",
        r"\b(?:selected|chosen|hired|gone with|go with|move forward with|moving forward with|"
        r"proceed with|proceeding with|pursue|pursuing) (?:another|other|a different|a more "
        r"qualified|more qualified) (?:candidate|applicant|individual|person)s?\b",
        r"(?:\bnot|n't) (?:been )?(?:selected|shortlisted|chosen)\b",
        r"\b(?:did not|didn't|decided not to|chose not to) select\b",
        r"\bno longer (?:reviewing|accepting|considering)\b|\bending consideration\b",
        r"\bmov(?:e|ing) forward with (?:other|those|candidates|applicants|someone|another)\b",
        r"\b(?:have|has) filled the\b|\ba été pourvue?\b|\bposte (?:est )?pourvu\b",
        r"\bnot a (?:match|fit)\b",
        r"\bunable to (?:offer|consider|move)\b",
        r"\bnot the (?:most qualified|right fit|best fit|best match)\b",
        r"\bpas\b[^.\n]{0,25}?\bdonner (?:une |de )?suite\b",
        r"\bn[e'’]\s*(?:a |avons |ont )?pas (?:été )?(?:retenue?s?|sélectionnée?s?)\b",
        r"\bde ne pas (?:la |le |les |vous |lui )?(?:sélectionner|retenir|poursuivre|donner "
        r"suite|aller plus loin|avancer)\b",
        r"\b(?:avec|retenu|privilégié|choisi|sélectionné) (?:un |une |d[e'’] ?)?(?:autres? )?"
        r"(?:candidat|candidate|profil)s?\b",
        r"\b(?:au|le) regret de\b",
        r"\bne correspond(?:ait|ent)? pas\b",
        r"eml-email_[a-z_]*(?:rejected|rejection)",
    ),
    "application_received": (
        r"eml-email_[a-z_]*application_(?:confirmation|viewed|submitted|sent)",
    ),
    "job_alert": (
        r"eml-email_[a-z_]*(?:job_alert|saved_jobs?|job_reminder|jobs_you|recommended_jobs|"
        r"first_time_job_seeker)",
    ),
    "other_job": (r"eml-email_[a-z_]*applications?_update_digest",),
}
CUE_PATTERNS = {k: re.compile("|".join(f"(?:{p})" for p in v)) for k, v in CUES.items()}


# "If you are not selected, ...", "sans réponse sous trois semaines, considérez que votre
# candidature n'a pas été retenue": a confirmation saying what silence will mean, not a decision.
_CONDITIONAL = re.compile(
    r"\b(?:if|should|unless|whether|either|in the event|in case|si|sans (?:réponse|retour)|"
    r"considérer que|considérez que|au cas où|à défaut)\b"
)
_SENTENCE = re.compile(r"[.!?\n]")


def cue_kinds(text: str) -> list[str]:
    """Kinds whose cues occur in a lower-cased text, outside conditional clauses."""
    found = []
    for kind, pattern in CUE_PATTERNS.items():
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 120) : m.start()]
            clause = _SENTENCE.split(before)[-1]
            if not _CONDITIONAL.search(clause):
                found.append(kind)
                break
    return found


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
