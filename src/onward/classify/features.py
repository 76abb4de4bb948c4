"""An email as a bag of named features, then as hashed indices into the weight table.

The names are what `--explain` shows; hashing (CRC-32, stable across processes and
platforms) means the shipped model needs no vocabulary file and numpy alone to predict.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from onward.classify import knowledge as kb
from onward.classify.rules import cue_kinds
from onward.classify.sender import SenderInfo, sender_info
from onward.mail.model import Email

N_BUCKETS = 1 << 19
BODY_CHARS = 1500
BODY_WORDS = 220
CUE_CHARS = 2500  # job boards put their template names in links near the top

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGITS = re.compile(r"\d")


def words(text: str) -> list[str]:
    """Lower-cased words; URLs, addresses and digits flattened so they generalise."""
    if "http" in text or "www." in text or "WWW." in text:
        text = _URL.sub(" xurl ", text)
    if "@" in text:
        text = _EMAIL.sub(" xemail ", text)
    return _WORD.findall(_DIGITS.sub("0", text.lower()))


def streams(email: Email, s: SenderInfo) -> tuple[dict[str, list[str]], str]:
    """Word streams by where they come from (subject, body, sender name); the subject used."""
    subject = email.subject
    if subject.lower().startswith(("re:", "aw:", "tr:", "fwd:", "fw:")):
        subject = subject.split(":", 1)[1]
    name = words(s.name) + (["via"] if " via " in s.name.lower() else [])
    body = words(email.text[:BODY_CHARS])[:BODY_WORDS]
    return {"s": words(subject), "b": body, "n": name}, subject


def knowledge_names(
    email: Email, s: SenderInfo, toks: dict[str, list[str]], subject: str, personal: bool
) -> list[str]:
    """Features from what onward knows: senders, headers, phrase lists."""
    # A missing subject or sender is not evidence of anything (some exports drop them),
    # so it gets no feature of its own.
    feats = ["hdr:reply"] if subject != email.subject else []
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
    if email.list_unsubscribe or email.list_id:
        feats.append("hdr:list")
    if email.auto_submitted and email.auto_submitted.lower() != "no":
        feats.append("hdr:auto")
    # What trackers' phrase lists know, as features the model can weigh against the rest.
    for kind, where in phrase_hits(toks["s"], toks["b"]):
        feats.append(f"kw:{kind}:{where}")
    text = email.text[:CUE_CHARS].lower()
    feats += [f"cue:{kind}" for kind in cue_kinds(text, set(toks["s"]) | set(toks["b"]))]
    if personal and s.address:
        feats += [f"me:from:{s.address}", f"me:dom:{s.domain}"]
    return feats


def feature_names(email: Email, personal: bool = False) -> list[str]:
    """Named features of an email, for explanations. `personal` adds the exact sender, for
    local learning only: the shipped model must generalise to employers it never saw."""
    s = sender_info(email)
    toks, subject = streams(email, s)
    names = []
    for prefix, ws in toks.items():
        names += [f"{prefix}:{w}" for w in ws]
        if prefix != "n":
            names += [f"{prefix}2:{a} {b}" for a, b in zip(ws, ws[1:], strict=False)]
    return names + knowledge_names(email, s, toks, subject, personal)


_PHRASE_INDEX: dict[str, list[tuple[tuple[str, ...], str]]] = {}


def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Phrase lists as word sequences, indexed by their first word."""
    if not _PHRASE_INDEX:
        from onward.classify.rules import PHRASES

        for kind, phrases in PHRASES.items():
            for phrase in phrases:
                toks = tuple(words(phrase))
                if toks:
                    _PHRASE_INDEX.setdefault(toks[0], []).append((toks, kind))
    return _PHRASE_INDEX


def phrase_kinds(toks: list[str]) -> set[str]:
    """Kinds whose phrases occur in a word sequence: one dict lookup per word."""
    index = _phrase_index()
    starts = index.keys() & set(toks)
    found: set[str] = set()
    if not starts:
        return found
    for i, tok in enumerate(toks):
        if tok in starts:
            for phrase, kind in index[tok]:
                if kind not in found and tuple(toks[i : i + len(phrase)]) == phrase:
                    found.add(kind)
    return found


def phrase_hits(subject: list[str], body: list[str]) -> list[tuple[str, str]]:
    out = [(kind, "subject") for kind in sorted(phrase_kinds(subject))]
    return out + [(kind, "body") for kind in sorted(phrase_kinds(body))]


_SALT = {"s": 0x2545F491, "b": 0x1B873593, "n": 0x68E31DA4, "s2": 0x7FEB352D, "b2": 0x846CA68B}


_CODE_CACHE: dict[str, int] = {}


def _code(tok: str) -> int:
    code = zlib.crc32(tok.encode("utf-8", "surrogatepass"))
    if len(_CODE_CACHE) > 500_000:  # words follow Zipf's law: a bounded cache hits most
        _CODE_CACHE.clear()
    _CODE_CACHE[tok] = code
    return code


def _codes(toks: list[str]) -> np.ndarray:
    get = _CODE_CACHE.get
    return np.fromiter((get(t) or _code(t) for t in toks), np.int64, count=len(toks))


def _uni(codes: np.ndarray, prefix: str) -> np.ndarray:
    return (codes * 31 + _SALT[prefix]) % N_BUCKETS


def _bi(codes: np.ndarray, prefix: str) -> np.ndarray:
    # Word bigrams hashed from the two word hashes: no string is built per bigram.
    return (codes[:-1] * 0x01000193 + codes[1:] * 31 + _SALT[prefix]) % N_BUCKETS


def hash_name(name: str) -> int:
    """The bucket of one named feature; the same bucket `vector` puts it in."""
    prefix, _, value = name.partition(":")
    if prefix in ("s", "b", "n"):
        return int(_uni(_codes([value]), prefix)[0])
    if prefix in ("s2", "b2"):
        return int(_bi(_codes(value.split(" ", 1)), prefix)[0])
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % N_BUCKETS


# Knowledge that carries from one person's inbox to another's (phrases, senders, headers)
# gets a larger value than words: the same regularisation then lets it weigh more.
KNOWLEDGE_PREFIXES = ("kw:", "cue:", "ats:", "board:", "from:", "lp:", "hdr:")
KNOWLEDGE_VALUE = 8.0


def _dedupe(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique is 5x slower on arrays this small)."""
    if len(a) < 2:
        return a
    a = np.sort(a)
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def vector(
    email: Email, personal: bool = False, s: SenderInfo | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Bucket indices of the email's features, each once (presence, not counts), and values.

    Words and knowledge are deduplicated separately: the two share a bucket only through a
    rare hash collision, and then both count, the same way in training and prediction."""
    s = s or sender_info(email)
    toks, subject = streams(email, s)
    parts = []
    for prefix, ws in toks.items():
        if not ws:
            continue
        codes = _codes(ws)
        parts.append(_uni(codes, prefix))
        if prefix != "n" and len(ws) > 1:
            parts.append(_bi(codes, f"{prefix}2"))
    crc = zlib.crc32
    strong, weak = [], []
    for n in knowledge_names(email, s, toks, subject, personal):
        bucket = crc(n.encode("utf-8", "surrogatepass")) % N_BUCKETS
        (strong if n.startswith(KNOWLEDGE_PREFIXES) else weak).append(bucket)
    if weak:  # personal features: learnt locally, at the plain value
        parts.append(np.array(weak, dtype=np.int64))
    plain = _dedupe(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    know = np.array(sorted(set(strong)), dtype=np.int64)
    idx = np.concatenate([plain, know])
    val = np.concatenate(
        [np.ones(len(plain), np.float32), np.full(len(know), KNOWLEDGE_VALUE, np.float32)]
    )
    return idx, val
