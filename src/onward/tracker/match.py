"""Which application an email belongs to, or a ranked list when that is not clear."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from onward.classify.extract import norm_company
from onward.tracker.alerts import alert_positions

__all__ = [
    "Candidate",
    "Link",
    "alert_positions",
    "candidate_why",
    "link_email",
    "norm_role",
    "similar_company",
]

_ROLE_NOISE = re.compile(
    r"\((?:h/f|f/h|m/f|m/w/d|m/f/d|h/f/x)\)|\b(?:h/f|f/h|m/f/d|cdi|cdd)\b|"
    r"\b(?:req|r|job id|id)[\s#:-]*[\w-]*\d[\w-]*|[^\w\s]",
    re.I,
)


def norm_role(role: str) -> str:
    return " ".join(_ROLE_NOISE.sub(" ", role.lower()).split())


def similar_company(name: str, known: Iterable[str]) -> str | None:
    """The known employer a new `name` is probably a slip for ("Quilsoft" for "Quillsoft",
    "Fernandfig" for "Fern & Fig"), or None: when none is close, or when `name` is a known
    one written another way (case, punctuation, "Inc"), which is no new employer at all."""
    names = {norm_company(k): k for k in known if norm_company(k)}
    key = norm_company(name)
    if not key or key in names:
        return None
    spelled = {_spelled_and(k): k for k in names.values()}
    if _spelled_and(name) in spelled:
        return spelled[_spelled_and(name)]
    close = get_close_matches(key, list(names), n=1, cutoff=SIMILAR)
    return names[close[0]] if close else None


# difflib's ratio: one letter off in an eight-letter name is 0.94, "fernfig" beside
# "fernandfig" 0.82; two short names differing by one letter ("Acme", "Acne") are 0.75.
SIMILAR = 0.8


def _spelled_and(name: str) -> str:
    return norm_company(name.replace("&", " and "))


@dataclass
class Candidate:
    application_id: int
    score: float
    why: str


@dataclass
class Link:
    application_id: int | None  # None: open a new application (when `review` is False)
    review: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""


def candidate_why(app: dict[str, Any]) -> str:
    """How a candidate application reads in review: its role and its status."""
    return f"{app['role'] or 'unknown role'} ({app['status']})"


def link_email(
    email: dict[str, Any], apps: list[dict[str, Any]], thread_apps: dict[str, int]
) -> Link:
    """Decide where one classified email goes.

    `apps` are existing applications (id, company_key, role_key, status, updated_at);
    `thread_apps` maps Message-IDs already linked to their application.
    """
    for ref in [email.get("in_reply_to", "")] + email.get("refs", "").split():
        if ref and ref in thread_apps:
            return Link(thread_apps[ref], reason="same thread")
    company = norm_company(email.get("company", ""))
    role = norm_role(email.get("role", ""))
    if not company:
        return Link(None, review=True, reason="no employer named in the email")
    same = [a for a in apps if a["company_key"] == company]
    if role:
        exact = [a for a in same if a["role_key"] == role]
        if exact:
            return Link(exact[0]["id"], reason="same employer and role")
        unnamed = [a for a in same if not a["role_key"]]
        if len(unnamed) == 1:
            return Link(unnamed[0]["id"], reason="same employer; its role was not known yet")
        return Link(None, reason="a new role at this employer")
    if not same:
        return Link(None, reason="first email from this employer")
    if len(same) == 1:
        return Link(same[0]["id"], reason="the only application at this employer")
    ranked = sorted(
        same,
        key=lambda a: (
            a["status"] in ("rejected", "withdrawn"),
            -(a["updated_at"].timestamp() if a["updated_at"] else 0),
        ),
    )
    cands = [Candidate(a["id"], 1.0 / (i + 1), candidate_why(a)) for i, a in enumerate(ranked)]
    return Link(
        None,
        review=True,
        candidates=cands,
        reason=f"{len(same)} applications at this employer and the email names no role",
    )
