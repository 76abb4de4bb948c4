"""Where a message names its employer when its sender does not: the signature and ATS links.

Exports lose senders, and people write from their own mailboxes, so the employer must also
be read from what the message itself carries: the lines under a sign-off ("Best regards,
Jane Doe, Talent Acquisition, Kestrel Labs"; "The Kestrel Recruiting Team") and the
company's slug in an ATS job link ("jobs.lever.co/kestrel"). Pure: text in, candidates out.

Wording comes from general knowledge of how business mail is signed, and the link formats
from the ATS vendors' public job-board URLs; none of it was written from a scored message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from onward.classify import knowledge as kb

# Sign-offs, alone on their line, or followed by a comma after a sentence ("... today. Best
# regards, Jane Doe, ...": an export that lost its line breaks). English, French, German and
# Spanish closings; a longer one before its own start ("best regards" before "best").
SIGN_OFFS = (
    *("best regards", "kind regards", "warm regards", "warmest regards", "with regards"),
    *("regards", "best wishes", "all the best", "all best", "best", "many thanks"),
    *("thanks again", "thanks so much", "thanks", "thank you again", "thank you"),
    *("sincerely yours", "yours sincerely", "yours truly", "sincerely", "cheers", "warmly"),
    *("respectfully", "bien cordialement", "cordialement", "bien à vous", "bien à toi"),
    *("sincères salutations", "belle journée", "à bientôt", "mit freundlichen grüßen"),
    *("freundliche grüße", "viele grüße", "beste grüße", "saludos cordiales", "saludos"),
)
_CLOSE = r"(?:[ \t]*+[,.!]?[ \t]*+$|[ \t]*+,)"  # the sign-off ends its line, or a comma follows
_SIGN_OFF = re.compile(
    r"(?:^[ \t>]*+|(?<=[.!?])[ \t]++)(?:" + "|".join(map(re.escape, SIGN_OFFS)) + ")" + _CLOSE,
    re.IGNORECASE | re.MULTILINE,
)
_CLOSES = re.compile(_CLOSE)
# Segments of a signature line: "Jane Doe | Recruiter | Kestrel Labs", "Recruiter, Kestrel".
_SPLIT = re.compile(r"[ \t]*+(?:[|,;•·]|[ \t]-[ \t]|[ \t]–[ \t])[ \t]*+")
# A line that ends the signature: contact details, legal footers, a quoted earlier message.
_FOOTER = re.compile(
    r"https?:|www\.|@\S|\d{4}|^(?:from|sent|on|to|de|envoyé|le|von|am)\b[^\n]*:|^-{2,}|^_{2,}|"
    r"unsubscribe|privacy|confidential|reply|désabonner|this (?:e-?mail|message)",
    re.IGNORECASE,
)
# Words that make a signature line a job title or a team, not a company.
TITLE_WORDS = frozenset(
    "recruiter recruiting recruitment recruiters talent acquisition sourcer sourcing hr "
    "human resources people partner coordinator manager director lead head specialist "
    "generalist associate officer advisor consultant assistant founder co-founder cofounder "
    "ceo cto coo cfo vp president owner principal senior sr junior jr chief team teams "
    "hiring careers staffing university campus chargé chargée responsable rh recrutement "
    "ressources humaines personalreferent personalreferentin recruiterin".split()
)
# Trailing words that turn a company into its team ("Kestrel Labs Talent Acquisition Team").
_TEAM_WORDS = frozenset(
    "team recruiting recruitment talent acquisition hiring careers career hr people "
    "human resources staffing university campus early teams".split()
)
_TEAM_LINKS = frozenset("the from at of de l'équipe".split())
_TEAM_PREFIX = re.compile(
    r"^(?:the|l['’]équipe(?:[ \t]+(?:recrutement|rh|talent))?(?:[ \t]+(?:de|d['’]))?|"
    r"team|das|ihr|el equipo de)[ \t]+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w&'’.-]*+")
MAX_SEGMENTS = 8  # a signature is a few lines; past them, it is the footer or a quote
MAX_SIGN_OFFS = 3
MIN_LINES = 3  # fewer line breaks: the export ran the text into one line
MAX_SEGMENT = 60  # characters: longer is a sentence, not a name, title or company


def _words(segment: str) -> list[str]:
    return [w.lower().strip(".'’") for w in _WORD.findall(segment)]


def is_title(segment: str) -> bool:
    """A job title or a function: "Senior Technical Recruiter", "Talent Acquisition"."""
    return any(w in TITLE_WORDS for w in _words(segment))


def team_of(segment: str) -> str:
    """ "The Kestrel Labs Recruiting Team" -> "Kestrel Labs"; "" when the line names no team
    or no company ("The Hiring Team")."""
    words = segment.strip(" \t.!").split()
    stripped = False
    while words and words[-1].lower().strip(".,") in _TEAM_WORDS:
        words.pop()
        stripped = True
    # "Jane, on behalf of the Kestrel team", "Jane from the Kestrel team": the team's name
    # starts after the last linking word.
    lows = [w.lower() for w in words]
    links = [i for i, w in enumerate(lows) if w in _TEAM_LINKS]
    if stripped and links:
        words = words[links[-1] + 1 :]
    rest = " ".join(words)
    prefixed = _TEAM_PREFIX.sub("", rest, count=1)
    if not (stripped or prefixed != rest) or not prefixed:
        return ""
    return "" if is_title(prefixed) else prefixed.strip(" \t-–")


def _looks_like_name(segment: str) -> bool:
    """One to six words, the first capitalised: how a company or a person is written."""
    words = segment.split()
    return 1 <= len(words) <= 6 and (words[0][:1].isupper() or words[0][:1].isdigit())


def _at_company(segment: str) -> str:
    """ "Technical Recruiter at Kestrel Labs" -> "Kestrel Labs"."""
    m = re.search(r"[ \t](?:at|@|chez|bei|en)[ \t]+(?=\S)", segment, re.IGNORECASE)
    if m is None or not is_title(segment[: m.start()]):
        return ""
    rest = segment[m.end() :]
    return rest if _looks_like_name(rest) else ""


def _signature_lines(text: str, start: int) -> list[str]:
    """The non-empty lines after a sign-off ending at `start`: the signature and its footer."""
    lines = (line.strip(" \t>*") for line in text[start : start + 600].split("\n"))
    return [line for line in lines if line][:MAX_SEGMENTS]


def _segments(lines: list[str]) -> list[str]:
    """The signature's segments, up to its footer (contact details, a quote, a disclaimer)
    or to a sentence: an export that lost its line breaks runs on into the next text."""
    out: list[str] = []
    for line in lines:
        stop = _FOOTER.search(line)
        for seg in _SPLIT.split(line[: stop.start()] if stop else line):
            if len(seg) > MAX_SEGMENT:
                return out
            if seg:
                out.append(seg)
        if stop or len(out) >= MAX_SEGMENTS:
            break
    return out[:MAX_SEGMENTS]


_CONTACT = re.compile(
    r"[\w.+-]@(?P<a>[\w-]++(?:\.[\w-]++)++)|(?:https?://|\bwww\.)(?:www\.)?(?P<b>[\w-]++(?:\.[\w-]++)++)"
)


# Where quoted history starts: a quoted line, Outlook's "Original Message" or "From:" block,
# Gmail's "On ... wrote:". A signature below it may be the person's own.
_QUOTE_START = re.compile(
    r"^[ \t]*+(?:>|-{2,}[ \t]*+original message|(?:from|de|von)[ \t]*+:[ \t]|"
    r"on[ \t][^\n]{0,200}?(?:wrote|a écrit|schrieb)[ \t]*+:)",
    re.IGNORECASE | re.MULTILINE,
)


# Both at once on lower-cased text, case-sensitively: several times faster than the
# IGNORECASE scan, which only run-on text needs.
_LINE_SIGN_OFF = re.compile(
    r"^[ \t]*+(?:(?P<quote>" + _QUOTE_START.pattern.removeprefix(r"^[ \t]*+") + ")|"
    r"(?:" + "|".join(map(re.escape, SIGN_OFFS)) + ")" + _CLOSE + ")",
    re.MULTILINE,
)


def newest(text: str) -> str:
    """The text of the newest message, without the history it quotes."""
    m = _QUOTE_START.search(text)
    return text[: m.start()] if m else text


@lru_cache(maxsize=4)  # the signature's names and its contacts read the same text in turn
def sign_offs(text: str) -> tuple[int, ...]:
    """Where the first few sign-offs of the newest message end: each signature starts there."""
    low = text.lower()
    if len(low) != len(text) or low.count("\n") < MIN_LINES:
        # run-on text (an export without line breaks): sign-offs after a sentence too
        found = _SIGN_OFF.finditer(newest(text))
        return tuple(m.end() for m in islice(found, MAX_SIGN_OFFS))
    return tuple(islice(_line_sign_offs(low), MAX_SIGN_OFFS))


def _line_sign_offs(low: str) -> Iterator[int]:
    """Sign-offs that open a line of the newest message, up to the quoted history."""
    for m in _LINE_SIGN_OFF.finditer(low):
        if m.group("quote"):
            return
        yield m.end()


def contact_domains(text: str) -> list[str]:
    """Domains of the addresses and web sites a signature gives ("jane@kestrel.example",
    "www.kestrel.example"): where its writer works, unless it is a service's."""
    for end in sign_offs(text):
        lines = _signature_lines(text, end)
        found = [c.group("a") or c.group("b") for c in _CONTACT.finditer("\n".join(lines))]
        if found:
            return [d.lower() for d in found]
    return []


# The sender of a quoted earlier message: "From: Jane Doe <jane@kestrel.example>" (Outlook,
# Apple Mail; "De :", "Von:") and "On Tue, ... Jane Doe <jane@kestrel.example> wrote:" (Gmail).
_QUOTED_FROM = re.compile(
    r"^[ \t>]*+(?:from|de|von|van|da)[ \t]*+:[^\n@]{0,120}?[\w.+-]@(?P<a>[\w-]++(?:\.[\w-]++)++)"
    r"|^[ \t>]*+(?:on|le|am)[ \t][^\n@]{0,200}?[\w.+-]@(?P<b>[\w-]++(?:\.[\w-]++)++)"
    r"[^\n]{0,40}?(?:wrote|a écrit|schrieb)",
    re.IGNORECASE | re.MULTILINE,
)


def quoted_sender_domains(text: str) -> list[str]:
    """Domains of the senders of the messages a reply quotes: in a thread with a recruiter,
    their work address is there even when the newest message came without one."""
    if "@" not in text:
        return []
    found = (m.group("a") or m.group("b") for m in _QUOTED_FROM.finditer(text))
    return [d.lower() for d in islice(found, MAX_SIGN_OFFS)]


def signature_candidates(text: str) -> list[tuple[str, int]]:
    """Employers a signature names, with a weight: a team line or "title at company" (4),
    a line right under a job title (3)."""
    found: list[tuple[str, int]] = []
    for end in sign_offs(text):
        segments = _segments(_signature_lines(text, end))
        for i, seg in enumerate(segments):
            team = team_of(seg) or _at_company(seg)
            if team:
                found.append((team, 4))
            elif i > 0 and is_title(segments[i - 1]) and not is_title(seg):
                if _looks_like_name(seg):
                    found.append((seg, 3))
        if found:
            break  # the newest message's signature; the rest is quoted history
    return found


# ---- footers ---------------------------------------------------------------------------
# A name in a footer: capitalised words without dots, so that "... Jane Lee. Kestrel Labs is"
# starts at "Kestrel"; only at a line's or a sentence's start.
_NAME = (
    r"(?:^|(?<=[.!?] ))[ \t]*+"
    r"(?P<c>[A-Z0-9][\w&'’-]*+(?:[ \t]++(?:&[ \t]++|of[ \t]++|and[ \t]++)?[A-Z0-9][\w&'’-]*+){0,4})"
)
# "Kestrel Labs is an equal opportunity employer" (the EEO statement of US job mail) and
# "© 2026 Kestrel Labs, Inc. All rights reserved."
_EEO = re.compile(
    _NAME + r"[ \t]++(?i:(?:is|are)[ \t]++(?:an?[ \t]++)?(?:proud[ \t]++)?equal[ \t]++"
    r"(?:opportunity|employment))",
    re.MULTILINE,
)
_COPYRIGHT = re.compile(
    r"(?:©|(?i:copyright))[ \t]*+(?:©[ \t]*+)?(?:\d{4}(?:[ \t]*+[-–][ \t]*+\d{4})?[ \t]++)?"
    r"(?P<c>[A-Z0-9][\w&'’-]*+(?:[ \t]++(?:&[ \t]++|of[ \t]++|and[ \t]++)?[A-Z0-9][\w&'’-]*+){0,4})"
)


def footer_candidates(text: str) -> list[tuple[str, int]]:
    """Employers a footer names: the EEO statement (3), a copyright line (2)."""
    low = text.lower()
    found: list[tuple[str, int]] = []
    if "equal" in low:
        found += [(m.group("c"), 3) for m in _EEO.finditer(text)][:2]
    if "©" in text or "copyright" in low:
        found += [(m.group("c"), 2) for m in _COPYRIGHT.finditer(text)][:2]
    return found


# ---- ATS links -------------------------------------------------------------------------
def _slug(i: int) -> str:
    return rf"(?P<s{i}>[A-Za-z0-9][A-Za-z0-9_-]{{1,60}})"


# A slug ends where the host or path segment does; the lookahead keeps "acme" from matching
# inside "acme-labs" when the pattern backs off.
_ATS_LINK = re.compile(
    r"(?:"
    + "|".join(f"(?:{f.format(slug=_slug(i))})" for i, f in enumerate(kb.ATS_URL_FORMATS))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"://(?:www\.)?")
_SLUG_PREFIX = re.compile(r"^(?:[a-z]*careers|jobs|external|ext|hcm)-", re.IGNORECASE)


def _slug_name(slug: str) -> str:
    slug = _SLUG_PREFIX.sub("", slug)
    if slug.lower() in kb.ATS_URL_RESERVED or slug.isdigit():
        return ""
    name = re.sub(r"[-_]+", " ", slug).strip()
    return name.title() if name.islower() else name


def link_candidates(text: str) -> list[str]:
    """Employers named by the company slug of an ATS job link, in order, without repeats."""
    out: list[str] = []
    for start in _SCHEME.finditer(text):  # a literal "://" is found fast; most mail has few
        m = _ATS_LINK.match(text, start.end())
        if m is None:
            continue
        slug = next(v for v in m.groupdict().values() if v)
        name = _slug_name(slug)
        if name and name not in out:
            out.append(name)
    return out
