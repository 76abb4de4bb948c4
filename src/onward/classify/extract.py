"""Who is hiring and for what: the employer (never the ATS or the job board) and the role.

Candidates come from the display name ("Acme via Greenhouse"), subject and body patterns
("your application was sent to Acme", "candidature chez Acme") and the sender's domain;
a candidate that two places agree on wins.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from onward.classify import knowledge as kb
from onward.classify.sender import SenderInfo, sender_info
from onward.classify.signature import (
    contact_domains,
    footer_candidates,
    link_candidates,
    quoted_sender_domains,
    signature_candidates,
)
from onward.mail.model import Email

# Lower-case words inside a name: "Bank of the West", "Les Jardins du Coteau", "Hôtel de la
# Gare", "Müller und Söhne", "Banco de los Andes", "Van der Berg", with "d'" and "l'" before a
# capital ("Ville d'Avray").
_LINK_WORDS = (
    r"&|de|de la|de los|de las|del|della|di|du|des|of|of the|and|et|und|y|van|van de|van der|"
    r"von|von der"
)
_NAME = (
    r"(?P<c>[A-Z0-9À-Ý][\w&.'’-]*(?:[ \t]+(?:(?:" + _LINK_WORDS + r")[ \t]+)?(?:[dl]['’])?"
    r"[A-Z0-9À-Ý][\w&.'’-]*){0,4})"
)
_INVITED_BY = re.compile(r"(?i:invited by|invitation from)\s+" + _NAME)
ROLE_WORDS = frozenset(
    "analyst engineer developer scientist manager intern internship designer consultant "
    "specialist associate director coordinator lead architect researcher administrator "
    "technician officer assistant representative programmer ingénieur développeur stagiaire "
    "alternance h/f f/h".split()
)
# (pattern, weight, words one of which must be in the text): the cheap `in` test skips
# most regexes on most mail, which matters at thousands of messages per second.
COMPANY_PATTERNS = [
    (re.compile(p, re.UNICODE | re.MULTILINE), w, t)
    for p, w, t in [
        (
            r"(?i:application was sent to|candidature a été envoyée à|candidature a été vue par|dernière nouvelle de|candidature : .{2,80}? chez)\s*(?P<v>[^\n]{1,80}?)\s*$",
            6,
            ("sent to", "envoyée à", "vue par", "dernière nouvelle", "chez"),
        ),
        (
            r"(?i:offre d’emploi enregistrée chez|offre d'emploi enregistrée chez)\s+(?P<v>[^\n]{1,60}?)\s+est\b",
            6,
            ("enregistrée chez",),
        ),
        (r"(?i:application to\s.{2,60}?\sat)\s+" + _NAME, 5, ("application to",)),
        # "Your application for Class Teacher (KS2) at Ashfield Park Primary School": said by
        # a platform that is not the employer, it must outvote the platform's own name.
        (
            r"(?i:(?:application|applied|applying) for\s[^\n]{2,80}?\sat)\s+" + _NAME,
            6,
            ("application for", "applied for", "applying for"),
        ),
        (
            r"(?i:réponse (?:négative|positive|favorable|défavorable) de)\s+" + _NAME,
            5,
            ("réponse",),
        ),
        (_NAME + r"\s+(?i:a bien reçu votre candidature)", 5, ("bien reçu",)),
        # The gap is bounded: unbounded, each of 4,500 "votre candidature :" in a subject
        # scanned to the end of the line (8 s).
        (r"(?i:votre candidature)\s*:.{0,200}?\s(?i:chez)\s+" + _NAME, 5, ("votre candidature",)),
        (
            r"(?i:thank(?:s| you) for (?:applying|your application) (?:to|at|with))\s+" + _NAME,
            4,
            ("for applying", "for your application"),
        ),
        (
            r"(?i:thank(?:s| you) for your interest in(?: joining)?(?: the)?)\s+" + _NAME,
            4,
            ("interest in",),
        ),
        (
            r"(?i:your application (?:to|with|at)|application to|applied to|applying to|"
            r"candidacy (?:to|with|at))\s+" + _NAME,
            4,
            (
                *("application to", "application with", "application at"),
                *("applied to", "applying to", "candidacy"),
            ),
        ),
        (
            r"(?i:candidature chez|candidature pour|candidature au sein de|rejoindre)\s+" + _NAME,
            4,
            ("candidature", "rejoindre"),
        ),
        (
            r"(?i:\b(?:position|role|opportunity|job|poste|career|careers|team|interview) (?:at|with|chez))\s+"
            + _NAME,
            3,
            (" at ", " with ", " chez "),
        ),
        (
            r"(?i:welcome to|offer from|update from|news from|on behalf of)\s+" + _NAME,
            2,
            ("welcome to", " from ", "on behalf of"),
        ),
        (
            r"(?i:intérêt que vous portez à|intérêt que tu portes à|intérêt porté à|"
            r"est bien arrivée chez|postulé au poste de [^\n]{2,80}? chez|"
            r"candidature pour le poste (?:de |d['’])[^\n]{2,80}? chez)\s+" + _NAME,
            4,
            ("portez à", "portes à", "porté à", "arrivée chez", "postulé", "pour le poste"),
        ),
        # Sign-offs: "L'équipe Kanbios", "The Acme Recruiting Team".
        (r"^(?i:l['’]équipe(?: recrutement)?(?: de)?)\s+" + _NAME + r"\s*$", 3, ("équipe",)),
        (r"^(?i:the)\s+" + _NAME + r"\s+(?i:team)\s*$", 3, ("team", "Team")),
        (r"^" + _NAME + r"\s+(?:-|–|\|)\s", 2, ()),
        (r"(?:-|–|\||:)\s+" + _NAME + r"\s*!?$", 2, ()),
        (r"(?i:interest in)\s+" + _NAME, 2, ("interest in",)),
        # An assessment or scheduling service writes for the employer that invited you.
        (_INVITED_BY.pattern, 4, ("invited by", "invitation from")),
        # An agency's client: "my client, Kestrel Freight", "feedback from Halcyon", "Kestrel
        # Freight want to meet you".
        (
            r"(?i:(?:my|our) client,?(?: the)?|retained by(?: the)?|(?:notre|mon) client,?"
            r"(?: la société| le groupe| l['’]entreprise)?|pour le compte d(?:e|u|['’])"
            r"(?: notre client,?)?)\s*" + _NAME,
            4,
            ("client", "retained", "pour le compte"),
        ),
        # A German, Dutch or French application "at" the employer (general knowledge).
        (
            r"(?i:(?:ihre|deine) bewerbung bei(?: der| dem)?|ihr interesse an(?: der| einer "
            r"mitarbeit bei)?|(?:je|uw) sollicitatie bij|candidature au sein d(?:e|u|es|['’])"
            r"(?: la)?)\s*" + _NAME,
            4,
            ("bewerbung bei", "interesse an", "sollicitatie bij", "au sein d"),
        ),
        (r"(?i:feedback from)\s+" + _NAME, 3, ("feedback from",)),
        (
            _NAME + r"\s+(?i:(?:want|wants|would like|are keen|is keen) to (?:meet|interview|see))",
            3,
            ("to meet", "to interview", "to see"),
        ),
        (r"(?i:unfortunately,?)\s+" + _NAME + r"\s+(?:has|have|is|will)\b", 4, ("unfortunately",)),
        (
            r"(?i:\b(?:with|considering|joining|working at|working with|here at))\s+"
            + _NAME
            + r"(?=\s*[.!,;]|\s*$)",
            2,
            ("with ", "considering ", "joining ", " at "),
        ),
    ]
]
# Subject lines only (a subject is short; over a body these cost a fifth of extraction).
SUBJECT_PATTERNS = [
    (re.compile(p, re.UNICODE), w)
    for p, w in [
        # "Kestrel Labs has received your application"
        (
            _NAME + r"\s+(?i:has\s+received|received|is\s+reviewing|has\s+reviewed)\s+"
            r"(?i:your\s+application)",
            4,
        ),
        # "Your Kestrel Labs application": a role there ends in a role word and is not usable.
        (r"^(?i:your)\s+" + _NAME + r"\s+(?i:application|candidacy)\b", 2),
    ]
]
_NAME_AT = re.compile(_NAME)
_AT_WORDS = (" at ", " with ", " chez ", " @ ")


def _after_a_title(text: str) -> list[str]:
    """ "Analytics Engineer at Kestrel Labs" -> "Kestrel Labs": a title's head noun, then
    "at" and the employer. Found from each " at " back to its word (a regex for 20 nouns
    before it scanned every position of the text: a tenth of extraction)."""
    low = text.lower()
    if len(low) != len(text):
        return []
    out: list[str] = []
    for sep in _AT_WORDS:
        pos = low.find(sep)
        while pos != -1 and len(out) < 4:
            before = low[max(pos - 20, 0) : pos].rsplit(None, 1)
            word = before[-1] if before else ""
            if word in ROLE_WORDS or (word.endswith("s") and word[:-1] in ROLE_WORDS):
                m = _NAME_AT.match(text, pos + len(sep))
                if m:
                    out.append(m.group("c"))
            pos = low.find(sep, pos + 1)
    return out


_ROLE_NEXT = re.compile(r"\s++(?:position|role|job|opening|poste|team)\b", re.I)
# Neither the dot of "Sr." or of a French inclusive ending ("Consultant.e", "Développeur.se")
# nor a hyphen between letters ("Full-Stack", "Back-end", "Co-op") ends a role: cut there, a
# title lost its head noun ("Full" for "Full-Stack Developer"). A hyphen before digits still
# does ("Data Analyst-25839528": a requisition number).
_ROLE = r"(?P<r>(?:[^\n.!?;:|]|\.(?=(?:e|se|ne|fe|rice|euse|es)\b)|(?<=\b[sj]r)\.){2,90}?)"
_ROLE_END = r"(?=\s+(?:at|with|chez|à|au sein|has|was|position|role|job|poste|in our|-|–|\()\b|\s*(?:[–(|!,;:\n]|-(?![^\W\d_])|(?<!\b[sj]r)\.(?!(?:e|se|ne|fe|rice|euse|es)\b)|$))"
ROLE_PATTERNS = [
    (re.compile(p, re.UNICODE | re.IGNORECASE), t)
    for p, t in [
        (r"votre candidature\s*:\s*" + _ROLE + r"\s+chez\b", ("votre candidature",)),
        (
            r"(?:for|of) the (?:position|role|poste) (?:of|as|de)\s+" + _ROLE + _ROLE_END,
            ("the position", "the role", "the poste"),
        ),
        (
            r"(?:for|to) the\s+" + _ROLE + r"\s+(?:position|role|opening|vacancy|job)\b",
            ("position", "role", "opening", "vacancy", "job"),
        ),
        (
            r"(?:position|poste|role) (?:of|de|d'|as)\s*" + _ROLE + _ROLE_END,
            ("position", "poste", "role"),
        ),
        (
            r"(?:application|applying|applied|candidature) (?:for|pour|au poste de)\s+(?:the\s+|our\s+|le poste (?:de\s+)?)?"
            + _ROLE
            + _ROLE_END,
            (
                "application for",
                "applying for",
                "applied for",
                "candidature pour",
                "candidature au poste",
            ),
        ),
        (
            r"(?:application received|application confirmation|next steps for|interview scheduled|interview invitation|application acknowledged|application status)\s*[:\-–]\s*"
            + _ROLE
            + _ROLE_END,
            ("application", "next steps", "interview"),
        ),
        (r"(?:offer|interview)\s*:\s*" + _ROLE + r"\s+at\b", ("offer", "interview")),
    ]
]
_ROLE_STOP = re.compile(
    r"^(?:the|a|an|our|this|your|le|la|un|une|position|role|job|poste|company|team|us)$", re.I
)


@dataclass(frozen=True, slots=True)
class Extraction:
    company: str
    role: str
    ats: str


_RUN = re.compile(r"\w++")
_LEGAL_WORDS = frozenset(
    "inc llc ltd limited corp corporation co plc gmbh sa sas sarl ag bv nv".split()
)


def _norm_text(text: str) -> str:
    """Lower-cased letters and digits without legal suffixes ("Inc", "GmbH"). A suffix is a
    whole word, so a word split finds them (3x faster on a long text than a \\b regex)."""
    runs = _RUN.findall(text.lower())
    if not _LEGAL_WORDS.isdisjoint(runs):
        runs = [r for r in runs if r not in _LEGAL_WORDS]
    return _NOT_KEY.sub("", "".join(runs))


@lru_cache(maxsize=8192)  # employers' names repeat: the same few hundred in an inbox
def norm_company(name: str) -> str:
    """A key for comparing employer names: case, punctuation and legal suffixes dropped."""
    return _norm_text(name)


_NOT_KEY = re.compile(r"[^0-9a-zà-öø-ÿ]+")  # letters, not the ÷ between them
# Starts only where a run of spaces starts (where the leftmost match starts anyway): from
# every space of a long run, `\s*` would scan the rest of it again.
_PAREN = re.compile(r"(?<!\s)\s*+\([^)]*+\)")
_PREFIXES = re.compile(
    r"^(?:careers at|jobs at|jobs @|workday for|workday|autonotification|recruiting at)\s+", re.I
)
# A department before the name ("Recruitment Acme", "Recursos Humanos - Ayuntamiento de X"):
# general knowledge of how HR desks sign, in the languages the screen knows. The same words
# open some companies' own names ("Recruitment Genius", "HR Block"): `company_candidates`
# keeps them when the sender's domain spells the whole name.
_DEPARTMENT = re.compile(
    r"^(?:talent acquisition|talento|recruitment|recruiting|human resources|hr|recursos humanos|rrhh|"
    r"recrutement|ressources humaines|rh|drh|personalabteilung|karriere|werving en selectie|"
    r"werken bij|selectiedienst|hrm|atração de talentos|recrutamento e seleção|"
    r"selección de personal|lavora con noi)"
    r"\s*[-–|:]?\s+(?=\S)",
    re.I,
)


# Where a name's sentence ends: not at the dot of an initial ("U.S. Office of ...") or a title
# ("Dr. Susan Albright"). A company form's dot does end one: "applying to Acme Co. We are
# reviewing" says "Acme Co" far more often than a name runs on after "Co.".
_SENTENCE_END = re.compile(
    r"(?<=\w)(?:[,!?]|(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bProf)(?<!\bSt)"
    r"(?<!\bJr)(?<!\bSr)\.)(?:\s|$)"
)


@lru_cache(maxsize=8192)
def _clean(name: str, department: bool = True) -> str:
    if name.startswith("\0"):
        return name[1:].strip()
    # A "(" after the last ")" starts no match: not trying them keeps a run of "(" linear.
    closed = name.rfind(")") + 1
    name = _PAREN.sub("", name[:closed]) + name[closed:]
    name = _SENTENCE_END.split(name)[0]  # "Deel. We're excited" -> "Deel"
    name = _PREFIXES.sub("", name.strip())
    if department:
        name = _DEPARTMENT.sub("", name)
    name = name.strip(" \t.,;:!'’\"-–")
    low = name.lower()
    for suffix in kb.NAME_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix) + 1:
            name = name[: -len(suffix)].strip(" -–—,·|")
            low = name.lower()
    return name


# First words of the ATS and job boards' own names: a name that opens with one is theirs.
_VENDOR_WORDS = frozenset(
    n.split()[0] for n in (*kb.ATS_NAMES, *kb.BOARD_NAMES) if len(n.split()[0]) > 3
) - {"welcome"}


# A posting's number: five digits or more, a leading zero ("077"), or digit groups joined by
# hyphens and ending the word ("HR-26-077"). Not "Advisor360", "Hotel 1000", "1-800-Flowers",
# "2020 Companies": years and short numbers open and close real names.
_REFERENCE = re.compile(
    r"(?<!\w)(?:\d{5,}|0\d{2,})(?!\w)|(?<![\w-])[^\W\d_]*-?\d+(?:-\d+)+(?![\w-])"
)
_PRONOUNS = frozenset("we you i it let they he she".split())


# What follows a vendor's first word in its own name.
_VENDOR_TAIL = frozenset(
    "software apply notifications notification recruiting recruitment jobs careers inc team "
    "hiring talent mail no-reply noreply support system systems ondemand".split()
)


@lru_cache(maxsize=8192)
def _usable(name: str) -> bool:
    low = name.lower().strip()
    if not low or len(low) < 2 or low in kb.GENERIC_NAMES or "@" in low:
        return False
    if low.split()[-1] in ROLE_WORDS or not kb.STATUS_WORDS.isdisjoint(low.split()):
        return False
    if kb.STEP_WORDS.issuperset(low.split()):
        return False  # "Offer of Employment", "Interview"
    if _REFERENCE.search(low):
        return False  # "0079105", "HR-26-077": a posting's number, not a name
    if low in _PRONOUNS or not any(c.isalpha() for c in low):
        return False  # "They want to meet you", "application for X at 10:30": no name
    if low in kb.ATS_NAMES or low in kb.BOARD_NAMES or low in ("linkedin", "indeed"):
        return False
    if low.split()[0] in _VENDOR_WORDS and _VENDOR_TAIL.issuperset(low.split()[1:]):
        return False  # "Greenhouse Software", "Indeed Apply"; not "Cornerstone Foods"
    first = low.split()[0]
    if first == "the":
        return len(low.split()) > 1
    pronoun, apostrophe, _ = first.replace("’", "'").partition("'")
    if apostrophe and pronoun in _PRONOUNS:
        return False  # "We've received your application": a sentence, not a name
    return first not in (
        "your",
        "our",
        "you",
        "we",
        "this",
        "a",
        "an",
        "us",
        "alex",
        "votre",
        "notre",
        "new",
        "update",
        "application",
        "thank",
        "thanks",
        "dear",
        "hi",
    )


@lru_cache(maxsize=4096)  # senders repeat, and each message asks twice
def _domain_label(s: SenderInfo) -> str:
    if not s.domain or s.ats or s.board or kb.mailer_for(s.domain):
        return ""
    return domain_label(s.domain)


def _mail_labels(email: Email, domains: list[str]) -> list[str]:
    """Company names of the mail domains a message gives (a signature's, a quoted sender's,
    its Reply-To), without repeats: never the recipient's own domain, a personal mail
    provider, an ATS, a job board or a service."""
    if not domains:
        return []
    own = {kb.domain_of(a.email) for a in (*email.to, *email.cc)}
    out: list[str] = []
    for domain in domains:
        label = "" if domain in own else _contact_label(domain)
        if label and label not in out:
            out.append(label)
    return out


def _contact_label(domain: str) -> str:
    if kb.ats_for(domain) or kb.board_for(domain) or kb.service_for(domain):
        return ""
    return domain_label(domain)


def domain_label(domain: str) -> str:
    """The name part of a company's domain ("kestrel" for mail.kestrel.co.uk); "" for a
    personal mail provider."""
    if domain in kb.FREEMAIL:
        return ""
    parts = domain.split(".")
    label = parts[-2] if len(parts) >= 2 else parts[0]
    at = -2 if len(parts) >= 2 else -1
    if len(parts) >= 3 and (label in _SECOND_LEVEL or len(label) <= 3 and parts[-1] in _CC):
        at = -3  # acme.co.uk, westmarch.ac.nz
    if len(parts) > -at and parts[at] in _REGIONS:
        at -= 1  # wyndham.vic.gov.au
    label = parts[at]
    words = label.split("-")
    while len(words) > 1 and words[-1] in _DOMAIN_JOB_WORDS:
        words.pop()  # "westbury-jobs": the council's careers site, not another company
    label = "-".join(words)
    for suffix in _GLUED_JOB_WORDS:  # "hcacareers", "twitchjobs"; not "stevejobs", "yourcareers"
        rest = label[: -len(suffix)]
        if label.endswith(suffix) and len(rest) >= 3 and rest not in _NOT_A_NAME:
            return rest
    return label


_NOT_A_NAME = frozenset("the your my our all top best find get new steve".split())
_GLUED_JOB_WORDS = ("careers", "career", "jobs", "recruiting", "recruitment", "karriere")
# Australian states and Canadian provinces between a public body's name and gov.au / .ca.
_REGIONS = frozenset("vic nsw qld tas act wa sa nt on qc bc ab mb sk ns nb nl pe".split())
_SECOND_LEVEL = frozenset("ac co com org net gov govt edu nhs mil".split())
_CC = ("uk", "au", "jp", "br")
_DOMAIN_JOB_WORDS = frozenset(
    "jobs job careers career recruiting recruitment karriere emploi emplois empleo hr apply".split()
)


def _head(pattern: str) -> re.Pattern[str] | None:
    """The case-insensitive opening `(?i:...)` of a pattern, compiled case-sensitively for
    lower-cased text (3-6x faster to scan for than with IGNORECASE, measured)."""
    if not pattern.startswith("(?i:"):
        return None
    depth = 0
    for end, ch in enumerate(pattern):
        depth += (ch == "(") - (ch == ")") if pattern[end - 1 : end] != "\\" else 0
        if depth == 0:
            return re.compile(pattern[4:end], re.UNICODE)
    return None


_HEADS = [_head(p.pattern) for p, _, _ in COMPANY_PATTERNS]


def _matches(i: int, text: str, low: str) -> Iterator[re.Match[str]]:
    """`COMPANY_PATTERNS[i].finditer(text)`, trying the full pattern only where its opening
    occurs in the lower-cased text: the same matches, found without scanning every position
    case-insensitively."""
    pattern, head = COMPANY_PATTERNS[i][0], _HEADS[i]
    if head is None or len(low) != len(text):
        yield from pattern.finditer(text)
        return
    pos = 0
    while (found := head.search(low, pos)) is not None:
        m = pattern.match(text, found.start())
        if m:
            yield m
        pos = m.end() if m and m.end() > found.start() else found.start() + 1


def _any_in(needles: tuple[str, ...], text: str) -> bool:
    for needle in needles:  # a plain loop: a generator costs more than the searches
        if needle in text:
            return True
    return False


def is_person(s: SenderInfo) -> bool:
    """A person writes under their own name: from a personal mailbox ("Jane Doe" at gmail.com),
    or with their name in the address ("Jane Doe <jane.doe@kestrel.example>"). Their name is
    never the employer; a personal mailbox named for a team ("Kestrel Careers") is not a person.
    """
    if not s.name or s.ats or s.board:
        return False
    if s.domain in kb.FREEMAIL:
        return _clean(s.name) == s.name.strip(" \t.,;:!'’\"-–")
    words = [w for w in _RUN.findall(s.name.lower()) if len(w) >= 3]
    local = s.address.partition("@")[0].lower()
    if not _TEAM_WORDS.isdisjoint(words):
        return False  # "FreshWay Careers" at freshway@...: a team, whatever its address says
    return 2 <= len(words) <= 3 and any(v in local for w in words for v in _spellings(w))


def _spellings(word: str) -> tuple[str, ...]:
    """How an address may write a name's word: "krüger" as krueger or kruger."""
    if word.isascii():
        return (word,)
    german = word.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    return word, german, _unaccented(word)


_TEAM_WORDS = frozenset(
    "careers career jobs recruiting recruitment talent hiring team hr karriere carrières "
    "recrutement emploi empleo personal staffing people empleos vagas carreiras vacatures "
    "werken carriere selectiedienst talentos".split()
)


# "RE: FW: Kestrel Labs - Analyst": a thread's prefixes hide where the subject starts.
_REPLY = re.compile(r"^(?:[ \t]*+(?i:re|fw|fwd|tr|aw|wg|sv|vs)[ \t]*+(?:\[\d+\])?:)++[ \t]*+")


# "Analyst - Kestrel Labs - Assessment Completed": the first and last parts are read by the
# patterns; a middle part may be the employer too.
_SUBJECT_PARTS = re.compile(r"[ \t]++[-–|][ \t]++")


def company_candidates(
    email: Email, s: SenderInfo, links: list[str] | None = None
) -> list[tuple[str, int]]:
    """Employer names the message gives, each with a weight; `links` are the employers its
    ATS job links name (read here when not given)."""
    links = link_candidates(email.text) if links is None else links
    found: list[tuple[str, int]] = []
    name = s.name
    own = ""  # the employer's name as its own mail server's sender writes it
    if " via " in name.lower():
        found.append((name[: name.lower().index(" via ")], 6))
    elif name and not s.board and not _names_a_mailer(s) and not is_person(s):
        whole = _named_by_domain(s)
        if whole:  # "Recruitment Genius" at recruitmentgenius.com: no department to cut
            name = "\0" + whole
        found.append((name, 2 if not s.ats else 3))
        cleaned = _clean(name)  # a name never usable ("Application Status") takes no vote
        own = "" if s.ats or not _usable(cleaned) else norm_company(cleaned)
    if s.ats in ("Workday", "SmartRecruiters", "iCIMS") and s.address:
        local = s.address.partition("@")[0].split("+")[0]
        if local not in kb.ROBOT_LOCALPARTS and local.isalpha():
            found.append((local, 1))
    subject = _REPLY.sub("", email.subject)
    found += [(part, 3) for part in _SUBJECT_PARTS.split(subject[:300])[1:-1]]
    for pattern, weight in SUBJECT_PATTERNS:
        found += [(m.group("c"), weight + 1) for m in pattern.finditer(subject[:300])]
    found += [(c, 4) for c in _after_a_title(subject[:300])]
    head = _before_other_jobs(email.text[:800])
    found += [(c, 3) for c in _after_a_title(head)]
    for text, bonus in ((subject, 1), (head, 0)):
        if bonus == 0 and max((w for _, w in found), default=0) >= 6:
            break  # the display name or subject already named the employer outright
        low = text.lower()
        for i, (_, weight, triggers) in enumerate(COMPANY_PATTERNS):
            if triggers and not _any_in(triggers, low):
                continue
            for m in _matches(i, text, low):
                if _ROLE_NEXT.match(text, m.end()):
                    continue  # "interest in the Data Analyst position": a role, not a company
                verbatim = m.groupdict().get("v")
                if verbatim:  # a job board names the employer in full, taglines and all
                    found.append(("\0" + verbatim, weight + bonus))
                else:
                    found.append((m.group("c"), weight + bonus))
    found += signature_candidates(email.text)
    found += footer_candidates(email.text)
    domains = contact_domains(email.text)[:1] + quoted_sender_domains(email.text)[:2]
    domains += [kb.domain_of(a.email) for a in email.reply_to]
    found += [(c, 2) for c in _mail_labels(email, domains)]
    found += [(link, 3) for link in links]
    label = _domain_label(s)
    if label:  # the domain's vote goes to the display name when that name spells it out
        spelt = _spells(own, norm_company(label))
        found.append((name if spelt else _written(label, subject, email.text) or label, 1))
    mine = {norm_company(a.name) for a in (*email.to, *email.cc) if a.name}
    out = [(c, w) for c, w in ((_clean(c), w) for c, w in found) if _usable(c)]
    # "Invitee: Robin Ortega": the person's own name is never who is hiring them.
    return [(c, w) for c, w in out if norm_company(c) not in mine] if mine else out


# Where a job board's confirmation starts to recommend other employers' jobs.
_OTHER_JOBS = re.compile(
    r"^[ \t]*+(?:jobs? you may (?:also )?like|similar jobs|recommended (?:jobs|for you)|"
    r"more jobs (?:like this|for you)|other jobs|you may also be interested|"
    r"offres similaires|ähnliche jobs|empleos similares)",
    re.IGNORECASE | re.MULTILINE,
)


def _before_other_jobs(text: str) -> str:
    low = text.lower()
    m = _OTHER_JOBS.search(text) if "job" in low or "offres" in low or "empleos" in low else None
    return text[: m.start()] if m else text


def _written(label: str, subject: str, text: str) -> str:
    """The domain's name as the message writes it, accents and spaces kept: "Solmar Energía"
    for solmar-energia.example; "" when no capitalised run of words spells it."""
    key = _unaccented(norm_company(label))
    if len(key) < 3:
        return ""
    longer = ""
    for part in (subject, text[:1500]):
        if key[:4] not in part.lower() or key not in _unaccented(_norm_text(part)):
            continue  # most messages: the cheap tests say no run can spell it
        for m in _NAME_AT.finditer(part):
            words = m.group("c").split()
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    form = " ".join(words[i:j])
                    written = _unaccented(norm_company(form))
                    if written == key:
                        return form
                    if not longer and len(key) >= _LONG_LABEL and written.startswith(key):
                        longer = form  # "Spreegold Gastronomie" for spreegold-gastro
    return longer


def _named_by_domain(s: SenderInfo) -> str:
    """The sender's name with its first words kept, when they look like a department but the
    domain spells them as part of the name ("HR Block" at hrblock.com, where "Block" alone
    does not spell the domain, as "Hollis Water" does holliswater.com); else ""."""
    if s.ats or not _DEPARTMENT.match(s.name.strip()):
        return ""
    label = norm_company(_domain_label(s))
    if not label or _spells(norm_company(_clean(s.name)), label):
        return ""
    whole = _clean(s.name, department=False)
    return whole if _spells(norm_company(whole), label) else ""


def _names_a_mailer(s: SenderInfo) -> bool:
    """Whether the sender is a mail or scheduling service under its own name ("Calendly" at
    calendly.com). An employer that sends through one ("Kestrel Labs" at sendgrid.net, at
    goodtime.io) still names itself."""
    mailer = kb.mailer_for(s.domain)
    key = norm_company(domain_label(mailer)) if mailer else ""
    return bool(key) and key in norm_company(s.name)


def _spells(name: str, label: str) -> bool:
    """Whether a sender's display name is its domain's name written out ("Dwarves Foundation"
    for dwarves.example, "Kessler Antriebstechnik" for kessler-antriebe.de): then the bare
    label is no rival to it. The name opens with the label or most of it, or holds a long one
    ("U.S. Office of Records Modernization"); a short label met inside a name ("ea" in "Leah
    Thompson", "ford" in "Dan Ford") or a shared first word ("Global Payments" at
    globalcorp.com) spells nothing."""
    if not (name and label):
        return False
    # A domain is written without accents: "beltran" spells "Ayuntamiento de Beltrán".
    name, label = _unaccented(name), _unaccented(label)
    if name.startswith(label) or (len(label) >= _LONG_LABEL and label in name):
        return True
    return len(os.path.commonprefix([name, label])) >= max(5, len(label) * 3 // 4)


_LONG_LABEL = 6  # letters of a domain label too many to meet inside a name by chance


@lru_cache(maxsize=4096)
def _unaccented(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _agency(s: SenderInfo) -> str:
    """The key of the recruitment agency that sent a message ("brightpath" for
    brightpath-recruitment.example), "" when the sender is not one. An agency writes about its
    client, who is the employer; its own name is the answer only when it names none."""
    if not s.domain or s.ats or s.board:
        return ""
    parts = s.domain.split(".")
    raw = parts[-2] if len(parts) >= 2 else parts[0]
    for word in _AGENCY_WORDS:
        if raw.endswith(word) and len(raw) - len(word) >= 3:
            return norm_company(_domain_label(s))
    return ""


def _for_a_client(email: Email, s: SenderInfo) -> tuple[str, ...]:
    """Keys of a sender who writes for a client ("my client", "we've been retained by"):
    its own names, from its address and its signature, are the agency's."""
    low = email.text[:1500].lower()
    if not any(w in low for w in _CLIENT_WORDS):
        return ()
    own = [_domain_label(s)] + [name for name, _ in signature_candidates(email.text)]
    if s.name and not is_person(s):
        own.append(s.name)
    return tuple(k for k in (norm_company(_clean(n)) for n in own) if k)


_CLIENT_WORDS = ("my client", "our client", "retained by", "mon client", "notre client")


def _relay(email: Email, s: SenderInfo) -> tuple[str, ...]:
    """Keys of a robot sender that says another organisation invited you ("Your invitation
    from Kestrel Labs expires", signed by the test platform): the platform only relays."""
    if not (s.robot and s.name):
        return ()
    low = email.text[:800].lower()
    if "invited by" not in low and "invitation from" not in low:
        return ()
    own = norm_company(_clean(s.name))
    named = {norm_company(_clean(m.group("c"))) for m in _INVITED_BY.finditer(email.text[:800])}
    if not own or own in named or not any(named):
        return ()
    return own, norm_company(_domain_label(s))


_AGENCY_WORDS = ("recruitment", "recruiting", "staffing", "resourcing", "talent", "personnel")
_AGENCY_SHARE = 0.25  # of its votes: enough to win only where no client is named


def _holds(key: str, anchor: str) -> bool:
    """A long domain label inside a longer name: "westmarch" in "University of Westmarch".
    Not for the sender's own name: "Les emplois de l'inclusion" at inclusion.example is the
    platform, however well its domain fits."""
    return len(anchor) >= _LONG_LABEL and len(key) > len(anchor) and anchor in key


def _anchors(s: SenderInfo, links: list[str], haystack: str) -> list[str]:
    """Keys the employer's full name may extend: the sender's domain ("kestrel" for "Kestrel
    Labs") and the slugs of ATS links, which name the employer as the company wrote it."""
    label = norm_company(_domain_label(s))
    if label and _names_elsewhere(s, label, haystack):
        label = ""
    keys = (label, *map(norm_company, links))
    return [k for k in keys if k]


def _names_elsewhere(s: SenderInfo, label: str, haystack: str) -> bool:
    """Whether the sender names an employer, also named in the message, that its domain does
    not spell ("Hotel Alpenrose" at jobs.personalo.example): the domain is then a service we
    do not know, worth its vote but not the anchor's bonus. A name the message does not repeat
    may be a recruiter's own ("Leah Thompson" at ea.com)."""
    if not s.name or is_person(s) or _names_a_mailer(s):
        return False
    own = norm_company(_clean(s.name))
    return bool(own) and own in haystack and _usable(_clean(s.name)) and not _spells(own, label)


def extract_company(email: Email, s: SenderInfo | None = None) -> str:
    s = s or sender_info(email)
    links = link_candidates(email.text)
    cands = company_candidates(email, s, links)
    if not cands:
        return ""
    scores: dict[str, float] = {}
    best_form: dict[str, str] = {}
    haystack = _norm_text(email.subject + " " + email.text[:1500])
    anchors = _anchors(s, links, haystack)
    own = norm_company(_clean(s.name)) if s.name else ""  # the sender's name is no platform's
    for cand, weight in cands:
        key = norm_company(cand)
        if not key:
            continue
        scores[key] = scores.get(key, 0) + weight
        form = best_form.get(key)
        if form is None or (form.islower() and not cand.islower()):
            best_form[key] = cand
    for key in scores:
        if any(key.startswith(a) or a.startswith(key) for a in anchors) or (
            key != own and any(_holds(key, a) for a in anchors)
        ):
            scores[key] += 2
        scores[key] += 0.5 * min(haystack.count(key), 3)
    go_betweens = {
        k for k in (_agency(s), *_relay(email, s), *_for_a_client(email, s)) if len(k) >= 4
    }
    if go_betweens and len(scores) > 1:
        for key in scores:  # "Helix Search Group" is helixsearch.example's too
            if any(key.startswith(g) for g in go_betweens):
                scores[key] *= _AGENCY_SHARE
    if not scores:
        return ""
    top = max(scores, key=lambda k: (scores[k], -len(k)))
    form = best_form[top]
    return form if not form.islower() else form.title()


# The role patterns again, for lower-cased text: a case-sensitive search is 3-6x faster than
# IGNORECASE (measured), and the role is then cut from the original text at the same place.
_ROLE_LOWER = [re.compile(p.pattern, re.UNICODE) for p, _ in ROLE_PATTERNS]


def _role_match(text: str, low: str, i: int) -> str | None:
    if len(low) == len(text):  # lower-casing kept every character in place
        m = _ROLE_LOWER[i].search(low)
        return text[m.start("r") : m.end("r")] if m else None
    m = ROLE_PATTERNS[i][0].search(text)
    return m.group("r") if m else None


def extract_role(email: Email) -> str:
    for text in (email.subject, email.text[:1500]):
        low = text.lower()
        for i, (_, triggers) in enumerate(ROLE_PATTERNS):
            if not _any_in(triggers, low):
                continue
            found = _role_match(text, low, i)
            if found is None:
                continue
            role = found.strip(" \t\"'“”«»")
            role = re.sub(r"\s+", " ", role)
            if 2 <= len(role) <= 80 and not _ROLE_STOP.match(role) and len(role.split()) <= 9:
                return role
    return ""


def extract(email: Email, s: SenderInfo | None = None) -> Extraction:
    s = s or sender_info(email)
    return Extraction(
        company=extract_company(email, s),
        role=extract_role(email),
        ats=s.ats or s.board or "",
    )


def extract_for(kind: str, email: Email, s: SenderInfo | None = None) -> Extraction:
    """What a message of `kind` says about who is hiring: nothing for mail that is not about
    a job, only the mailer for a digest of many employers (the classifier's own rule, applied
    again when the person corrects the kind)."""
    s = s or sender_info(email)
    if kind == "not_job":
        return Extraction("", "", "")
    if kind == "job_alert":
        return Extraction("", "", s.ats or s.board or "")
    return extract(email, s)
