"""The positions a job-alert email lists, read from its text (pure: text in, postings out).

Job boards write three shapes, one posting per line or per block:

- "Senior Software Engineer at Acme Corp" (LinkedIn, Indeed subjects and digests),
- "Data Analyst - Globex - Paris" or "AI Engineer - Monday.com (Remote)",
- a block "Title / Company / Location" (LinkedIn's and Indeed's text parts),

each followed or not by its link, alone on a line or after "View job:".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class Posting:
    role: str
    company: str
    place: str = ""
    url: str = ""


_URL = re.compile(r"https?://[^\s<>\"']+")
_PERSON_LINK = re.compile(r"/(?:messaging|compose|in|psettings|feed)/")  # not a posting's
_SEPARATOR = re.compile(r"^[-=_*─━·.\s]{3,}$")
_BULLET = re.compile(r"^(?:[-*•·–]|\d{1,2}[.)])\s+")
_DASHED = re.compile(
    r"^(?P<role>.{3,80}?)\s+[-–|·]\s+(?P<company>.{2,60}?)(?:\s+[-–|·]\s+(?P<place>.{2,60}?))?$"
)
_AT = re.compile(r"^(?P<role>.{3,80}?)\s+at\s+(?P<company>.{2,120})$")
_PLACE_AFTER = re.compile(
    r"\s+[-–|·]\s+|,\s+(?!(?:inc|llc|ltd|gmbh|co|corp|s\.?a\.?s?|plc)\b\.?)", re.I
)
_PAREN_PLACE = re.compile(r"\s*\((?P<place>[^()]{2,40})\)$")
_MORE = re.compile(r"\s+and\s+\d+\s+more\b.*$", re.I)
_RATING = re.compile(r"\s+\d(?:[.,]\d)?\s*(?:★|\*|/\s*5\b|stars?\b).*$", re.I)
# Lines around the postings that a shape could mistake for one: greetings, counts, footers.
_CHROME = re.compile(
    r"\b(?:alerts?|unsubscribe|manage|preferences|settings|privacy|help|hi|hello|dear|"
    r"new jobs?|jobs (?:for you|match|in|near)|match(?:es|ing)? your|recommended|"
    r"easy apply|easily apply|apply now|promoted|actively recruiting|just posted|ago|"
    r"similar jobs|saved jobs|connections at|offres d.emploi|relations chez|postuler)\b|"
    r"[$€£]\s?\d|\bper (?:hour|year|month)\b|\ba (?:year|month|hour)\b",
    re.I,
)
# A link for one posting is bare or labelled like "View job:"; "See all jobs", "Manage
# alerts" and "Unsubscribe" are links of the email, not of a posting.
_OTHER_LINK = re.compile(
    r"\b(?:all|more|alerts?|unsubscribe|manage|settings|preferences|help|privacy|learn)\b", re.I
)
# Tracking and one-time sign-in parameters job boards add to every link: a saved link
# should neither follow the person nor log anyone in as them.
_TRACKING = re.compile(
    r"^(?:utm_.*|trk.*|tracking.*|ref(?:id)?|lipi|midtoken|midsig|eid|otptoken|"
    r"from|mc_[ce]id|_hsenc|_hsmi|src)$",
    re.I,
)


def read_alert(text: str) -> list[Posting]:
    """Every posting a job alert lists, in order, each once."""
    found: list[Posting] = []
    for lines, url in _chunks(text):
        for posting in _postings(lines, url):
            if all((p.role, p.company) != (posting.role, posting.company) for p in found):
                found.append(posting)
    return found


def alert_positions(text: str) -> list[tuple[str, str]]:
    """(role, company) pairs listed in a job alert ("Data Analyst - Globex - Paris")."""
    return [(p.role, p.company) for p in read_alert(text)]


def _chunks(text: str) -> list[tuple[list[str], str]]:
    """The text cut into runs of lines, each ended by a separator, a link or the end, with
    the link when it is a posting's."""
    chunks: list[tuple[list[str], str]] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        link = _URL.search(line)
        label = line[: link.start()].strip(" :\t") if link else ""
        if link and label and _single(label):  # "Title at Company https://..." on one line
            chunks.append(([*current, label], clean_url(link.group(0))))
        elif _SEPARATOR.match(line) or (link and _OTHER_LINK.search(label)):
            chunks.append((current, ""))
        elif link:
            chunks.append((current, clean_url(link.group(0))))
        else:
            current.append(line)
            continue
        current = []
    chunks.append((current, ""))
    return [(lines, url) for lines, url in chunks if lines]


def _postings(lines: list[str], url: str) -> list[Posting]:
    if url and not _single(lines[-1]):
        if _PERSON_LINK.search(url):
            return []
        block = _block(lines, url)
        return [block] if block else []
    singles = [p for p in map(_single, lines) if p]
    if url and singles:
        last = singles[-1]
        singles[-1] = Posting(last.role, last.company, last.place, url)
    return singles


def _block(lines: list[str], url: str) -> Posting | None:
    """Title, company and place on lines of their own above the posting's link."""
    kept = [_BULLET.sub("", line) for line in lines if _plain(line)]
    if len(kept) < 2 or len(kept[0].split()) > 10:
        return None
    company = _RATING.sub("", kept[1])
    company, place = _split_place(company)
    place = place or (kept[2] if len(kept) > 2 else "")
    return Posting(kept[0], company, place, url)


def _plain(line: str) -> bool:
    return _sentence_free(line) and not _CHROME.search(line)


def _sentence_free(line: str) -> bool:
    return len(line) <= 120 and line[-1] not in ".!?:"


def _single(line: str) -> Posting | None:
    """A posting written on one line, or None."""
    line = _BULLET.sub("", line)
    if not _sentence_free(line):
        return None
    at = _AT.match(line)
    if at and not _DASHED.match(at.group("role")):
        company, place = _split_place(_MORE.sub("", at.group("company")))
        return _checked(at.group("role"), company, place)
    dashed = _DASHED.match(line)
    if dashed:
        company, place = _split_place(dashed.group("company"))
        return _checked(dashed.group("role"), company, dashed.group("place") or place)
    return None


def _split_place(company: str) -> tuple[str, str]:
    """("Acme Corp", "Paris") from "Acme Corp, Paris", "Acme Corp · Paris" or "Acme (Paris)"."""
    paren = _PAREN_PLACE.search(company)
    if paren:
        return company[: paren.start()].strip(), paren.group("place").strip()
    cut = _PLACE_AFTER.search(company)
    if cut:
        return company[: cut.start()].strip(), company[cut.end() :].strip()
    return company.strip(), ""


def _checked(role: str, company: str, place: str) -> Posting | None:
    role, company, place = role.strip(), company.strip(), place.strip()
    if not role[:1].isupper() or not (company[:1].isupper() or company[:1].isdigit()):
        return None
    if len(role.split()) > 8 or len(company.split()) > 6 or "http" in role + company:
        return None
    if ":" in role or _CHROME.search(role) or _CHROME.search(company):
        return None
    return Posting(role, company, "" if _CHROME.search(place) else place)


def clean_url(url: str) -> str:
    """The link without its tracking and sign-in parameters."""
    url = url.rstrip(".,;:)>]")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept)))
