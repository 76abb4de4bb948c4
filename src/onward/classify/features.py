"""An email as a bag of named features, then as hashed indices into the weight table.

The names are what `--explain` shows; hashing (CRC-32, stable across processes and
platforms) means the shipped model needs no vocabulary file and numpy alone to predict.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from onward.classify import knowledge as kb
from onward.mail.model import Email

N_BUCKETS = 1 << 19
BODY_CHARS = 1500
BODY_WORDS = 220
PLACEHOLDER_SENDERS = ("unknown@corpus.onward.invalid",)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class SenderInfo:
    address: str
    domain: str
    name: str
    ats: str | None
    board: str | None
    robot: bool
    placeholder: bool


def sender_info(email: Email) -> SenderInfo:
    addr = email.sender.email if email.sender else ""
    placeholder = not addr or addr in PLACEHOLDER_SENDERS
    domain = "" if placeholder else kb.domain_of(addr)
    return SenderInfo(
        address="" if placeholder else addr,
        domain=domain,
        name="" if placeholder or not email.sender else email.sender.name,
        ats=kb.ats_for(domain) if domain else None,
        board=kb.board_for(domain) if domain else None,
        robot=bool(addr) and not placeholder and kb.is_robot(addr),
        placeholder=placeholder,
    )


def words(text: str) -> list[str]:
    """Lower-cased words; URLs, addresses and digits flattened so they generalise."""
    text = _URL.sub(" xurl ", text)
    text = _EMAIL.sub(" xemail ", text)
    return [_DIGITS.sub("0", w) for w in _WORD.findall(text.lower())]


def _grams(prefix: str, toks: list[str]) -> list[str]:
    out = [f"{prefix}:{t}" for t in toks]
    out += [f"{prefix}2:{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)]
    return out


def feature_names(email: Email, personal: bool = False) -> list[str]:
    """Named features of an email. `personal` adds the exact sender, for local learning only:
    the shipped model must generalise to employers it never saw, so it never gets them."""
    s = sender_info(email)
    subject = email.subject
    if subject.lower().startswith(("re:", "aw:", "tr:", "fwd:", "fw:")):
        feats = ["hdr:reply"]
        subject = subject.split(":", 1)[1]
    else:
        feats = []
    # A missing subject or sender is not evidence of anything (some exports drop them),
    # so it gets no feature of its own.
    feats += _grams("s", words(subject))
    feats += _grams("b", words(email.text[:BODY_CHARS])[:BODY_WORDS])
    feats += [f"n:{w}" for w in words(s.name)]
    if not s.placeholder:
        local = s.address.partition("@")[0]
        feats += [f"lp:{r}" for r in kb.ROLE_LOCALPARTS if r in local]
        if s.robot:
            feats.append("from:robot")
        if s.domain in kb.FREEMAIL:
            feats.append("from:freemail")
    if s.ats:
        feats += ["from:ats", f"ats:{s.ats.lower()}"]
    if s.board:
        feats += ["from:board", f"board:{s.board.lower()}"]
    if " via " in s.name.lower():
        feats.append("n:via")
    if email.list_unsubscribe or email.list_id:
        feats.append("hdr:list")
    if email.auto_submitted and email.auto_submitted.lower() != "no":
        feats.append("hdr:auto")
    # What trackers' phrase lists know, as features the model can weigh against the rest.
    for kind, where in phrase_hits(subject, email.text[:BODY_CHARS]):
        feats.append(f"kw:{kind}:{where}")
    if personal and s.address:
        feats += [f"me:from:{s.address}", f"me:dom:{s.domain}"]
    return feats


def phrase_hits(subject: str, body: str) -> list[tuple[str, str]]:
    from onward.classify.rules import COMPILED

    out = []
    for where, text in (("subject", subject.lower()), ("body", body.lower())):
        out += [(kind, where) for kind, pattern in COMPILED.items() if pattern.search(text)]
    return out


def hash_name(name: str) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % N_BUCKETS


# Knowledge that carries from one person's inbox to another's (phrases, senders, headers)
# gets a larger value than words: the same regularisation then lets it weigh more.
KNOWLEDGE_PREFIXES = ("kw:", "ats:", "board:", "from:", "lp:", "hdr:")
KNOWLEDGE_VALUE = 3.0


def hashed(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Bucket indices, each distinct feature once (presence, not counts), and their values."""
    buckets: dict[int, float] = {}
    for n in names:
        v = KNOWLEDGE_VALUE if n.startswith(KNOWLEDGE_PREFIXES) else 1.0
        b = hash_name(n)
        buckets[b] = max(buckets.get(b, 0.0), v)
    idx = np.fromiter(buckets.keys(), dtype=np.int64, count=len(buckets))
    val = np.fromiter(buckets.values(), dtype=np.float32, count=len(buckets))
    return idx, val
