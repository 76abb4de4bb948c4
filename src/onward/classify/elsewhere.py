"""Mail that reads like job mail but answers another kind of application: a place to study,
a flat, a grant, a loan, a talk at a conference. "We are unable to offer you a place", "the
landlord has decided to proceed with another applicant": the model, taught on job mail, calls
these rejections with confidence, and a rejection is archived and answered with a draft.

The words are general knowledge of admissions, lettings, funding, credit and conference mail,
not read from scored mail. Under the protocol none of the corpus's 627 real job messages holds
one (20 of its ordinary messages do); a message that does is never decided as job mail, only
shown for review. Nor is a rejection, a confirmation or an offer that names no job at all
(`names_no_job`): none of the corpus's job mail is one. `why_not_job_mail` asks both. Pure: text
in, answer out.
"""

from __future__ import annotations

import re

from onward.classify.rules import REPLY_PREFIX
from onward.classify.screen import OTHER_SCRIPT

# Job titles hold some of these words ("Admissions Officer", "Lettings Negotiator"): a person
# applying for such a job gets mail that names them, so a title does not count. A research
# grant or a scholarship also funds jobs (a postdoc, a doctoral post): not listed.
_TITLE = (
    r"(?!\s+(?:[\w&/-]+\s+){0,3}?(?:officer|assistant|coordinator|manager|advis[oe]r|counsel+or|"
    r"administrator|lead|director|representative|specialist|negotiator|consultant|team|role|"
    r"position|job|vacancy|tutor|processor|underwriter|analyst|assessor|clerk|executive|"
    r"supervisor|producer)s?\b)"
)
_ELSEWHERE = re.compile(
    r"\b(?:admissions?"
    r"|(?:offer|place|study) on (?:the|this|our|a) (?:course|programme|program)"
    r"|(?:degree|msc|mba|bsc|bachelor'?s?|master'?s?|postgraduate|undergraduate) "
    r"(?:programme|program|course)"
    r"|tenancy|landlord|letting agent|lettings|rental application|holding deposit"
    r"|grant application|funding application|bursary"
    r"|loan application|card application|mortgage application"
    r"|call for (?:papers|proposals|speakers)|talk proposal|program(?:me)? committee"
    # the same in French, German, Spanish and Dutch (general knowledge)
    r"|dossier de location|propriétaire|agence immobilière|demande de (?:prêt|crédit|bourse|"
    r"subvention|logement)|prêt immobilier|appel à (?:communications|contributions)"
    r"|admission en (?:master|licence|formation)|mietvertrag|vermieter|wohnungsbewerbung"
    r"|studienplatz|zulassung zum studium|kreditantrag|förderantrag|stipendium"
    r"|solicitud de (?:alquiler|préstamo|beca|admisión)|arrendador|huurwoning|verhuurder"
    rf"|camera-ready)\b{_TITLE}"
)
# Job mail from a university, a letting agent, a bank or a funder names its job: "the post of
# Admissions and Recruitment Officer", "the Mortgage Application Processor role", "the
# vacancy". A place, a flat or a talk is not a role, a post or a vacancy; "in a position to
# offer you a place" is not a job's position, nor is "the job you want" a job applied for,
# nor a letter sent "in the post".
_A_JOB = re.compile(
    r"\b(?:(?:the|this|that|our) (?:[\w&/-]+ ){0,4}?(?:role|vacancy)\b"
    r"|(?<!\bin )(?<!\bby )(?:the|this|that|our) (?:[\w&/-]+ ){0,4}?post\b(?!-)"
    r"|(?:the|this|that|our) (?:[\w&/-]+ ){0,4}?position\b(?! (?:to|on|in)\b)"
    r"|vacanc(?:y|ies)\b|job (?:title|ref(?:erence)?|description)\b"
    r"|\b(?:le|ce|du|au) poste\b|offre d['’]emploi|\bdie stelle\b|stellenangebot|vacature"
    r"|\bel puesto\b"
    r"|(?:head|director|manager) of (?:admissions|lettings)\b)"
)


# A word of every phrase above, searched as plain substrings (in C) before any regex: most
# mail has none, and a regex that opens with \b and an alternation is tried at every position
# of the text (with `_A_JOB` first, classifying ran at 3,100 instead of 4,900 msgs/s).
_KEYS = (
    "admission", "course", "program", "tenancy", "landlord", "letting", "rental", "deposit",
    "grant", "funding", "bursary", "loan", "card", "mortgage", "call for", "talk proposal",
    "committee", "camera-ready", "de location", "propriétaire", "immobili", "demande de",
    "prêt", "appel à", "admission", "miet", "vermieter", "wohnung", "studienplatz", "zulassung",
    "kredit", "förder", "stipendium", "solicitud de", "arrendador", "huur", "verhuur",
)  # fmt: skip


def about_another_application(subject: str, low_head: str) -> bool:
    """Whether a message (its subject, and the lower-cased start of its body that the model
    reads) speaks of admissions, lettings, funding, credit or a conference."""
    low_subject = subject.lower()
    if not any(k in low_head or k in low_subject for k in _KEYS):
        return False
    if _ELSEWHERE.search(low_head) is None and _ELSEWHERE.search(low_subject) is None:
        return False
    return _A_JOB.search(low_subject) is None and _A_JOB.search(low_head) is None


# Words every job's mail uses somewhere: the job (a post, a role, a title), the application
# for it, the people who hire. A "rejection" or a "confirmation" with none of them answers
# something else: a child's team tryout, a passport, a grant ("your proposal was not selected",
# "your application has been received"). Stems, each opening a word, in the languages the
# screen knows; job titles too, since a short decline names the title, not the job ("your
# Software Developer application"). General knowledge, not read from scored mail.
_JOB_WORD = re.compile(
    r"\b(?:jobs?\b|positions?\b|roles?\b|vacanc|candida|career|recruit|hiring|hire[ds]?\b"
    r"|employ|r[eé]sum[eé]|cvs?\b|interview|talent|openings?\b|opportunit|offer|appl(?:y|ied|ying)"
    r"|shortlist|onboard|staffing|headhunt|posts?\b|internship|interns?\b"
    r"|engineer|develop|analyst|manager|designer|consultant|specialist|coordinator|assistant"
    r"|associate|technician|nurse|accountant|administrat|officer|director|controller|scientist"
    r"|architect|teacher|chef\b|cook\b|barista|waiter|waitress|receptionist|clerk|driver"
    # French, German, Spanish, Portuguese, Italian, Dutch, Polish
    r"|poste|emploi|recrut|embauche|entretien|alternance|bewerb|stelle|vorstellung|kandidat"
    r"|empleo|puesto|trabajo|entrevista|selecci[oó]n|vaga|vacante|sele[cç][aã]o|colloquio"
    r"|lavoro|vacature|sollicit|functie|werving|stanowisk|pracodaw|prac[ay]\b|rekrut|kandydat)"
)
# The kinds onward acts on or files an application under; an interview or a test with no job
# word (a vendor's "complete your challenge") is left to the model and its caution.
_NAMED_JOB_KINDS = frozenset({"rejection", "application_received", "offer"})


def names_no_job(subject: str, sender_name: str, low_head: str, reply: bool) -> bool:
    """Whether a message names no job, no application for one and nobody who hires. A reply in
    a thread is taken as named by the thread ("We're going a different direction"); text in a
    script the words above cannot speak for is taken as naming one."""
    if reply or REPLY_PREFIX.match(subject.lower()):
        return False
    hay = f"{subject} {sender_name}".lower() + " " + low_head
    return _JOB_WORD.search(hay) is None and OTHER_SCRIPT.search(hay) is None


def why_not_job_mail(
    kind: str, subject: str, sender_name: str, low_head: str, reply: bool, job_service: bool
) -> str:
    """Why mail about to be decided as `kind` should wait for the person instead: another kind
    of application, or no job named at all ("" when neither). `job_service`: sent by an ATS or
    a job board, which names the job by being one."""
    if about_another_application(subject, low_head):
        return "it speaks of admissions, a let, a grant, a loan or a conference"
    if (
        kind in _NAMED_JOB_KINDS
        and not job_service
        and names_no_job(subject, sender_name, low_head, reply)
    ):
        return "it names no job, role or application for one"
    return ""
