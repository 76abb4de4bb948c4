"""An email as a bag of named features, then as hashed indices into the weight table.

The names are what `--explain` shows; hashing (CRC-32, stable across processes and
platforms) means the shipped model needs no vocabulary file and numpy alone to predict.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

import numpy as np

from onward.classify import knowledge as kb
from onward.classify.rules import cue_kinds
from onward.classify.sender import SenderInfo, sender_info
from onward.mail.model import Email

N_BUCKETS = 1 << 19
BODY_CHARS = 1500
BODY_WORDS = 220
CUE_CHARS = 2500  # job boards put their template names in links near the top

# Two patterns with literal prefixes (which the regex engine finds with a fast search)
# instead of one alternation it tries at every position; an address can only start where a
# whitespace-separated token starts.
_HTTP = re.compile(r"https?://\S++")
_WWW = re.compile(r"www\.\S++")
# A token holding an "@" (linear: `[^\s@]*+` cannot backtrack); `_email_end` then finds what
# `(?<!\S)\S+@\S+\.\w+` matched in it without the backtracking that made a 100 KB token
# of "a@a@..." take 14 s.
_AT_TOKEN = re.compile(r"(?<!\S)[^\s@]*+@\S*+")
_WORD_RUN = re.compile(r"\w++")
# Possessive quantifiers: the same words, without the engine keeping backtrack points (-30%).
_WORD = re.compile(r"[^\W_]++(?:'[^\W_]++)?+")
_WORD_NO_UNDERSCORE = re.compile(r"\w++(?:'\w++)?+")  # the same words where there is no "_"
_DIGITS = re.compile(r"\d")


def head(email: Email) -> str:
    """The start of the body, lower-cased once for everything that reads it (the screen, the
    body's words, the cues): lower-casing is a measurable share of the time on non-ASCII mail."""
    return email.text[:CUE_CHARS].lower()


def words(text: str, lowered: bool = False, zero: bool = True) -> list[str]:
    """Lower-cased words; URLs, addresses and digits flattened so they generalise.

    `zero=False` leaves digits as they are: the streams the model hashes do that, because
    `_code` zeroes a word's digits when it first meets the word, which is cheaper than a
    pass over the whole text (the same words come out: a digit is a word character either
    way)."""
    if not lowered:
        text = text.lower()
    text = _flatten(text)
    if zero:
        text = _zero_digits(text)
    return (_WORD if "_" in text else _WORD_NO_UNDERSCORE).findall(text)


def _email_end(token: str) -> int:
    r"""Where an address starting a token ends (0: none), as `\S+@\S+\.\w+` finds it: the
    last "." followed by a word character, and an "@" with a character on each side before
    it; then the word characters after the dot."""
    dot = len(token)
    while (dot := token.rfind(".", 0, dot)) >= 3:
        run = _WORD_RUN.match(token, dot + 1)
        if run:
            return run.end() if token.rfind("@", 1, dot - 1) > 0 else 0
    return 0


def _email_token(m: re.Match[str]) -> str:
    token = m.group()
    end = _email_end(token)
    return " xemail " + token[end:] if end else token


_ASCII_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _zero_digits(text: str) -> str:
    """Every digit as 0. ASCII digits through a byte table (6x a regex substitution); the
    regex then only runs for text that may hold other scripts' digits."""
    out = text.encode("utf-8", "surrogatepass").translate(_ASCII_ZERO)
    text = out.decode("utf-8", "surrogatepass")
    return text if text.isascii() else _DIGITS.sub("0", text)


# Per code point of the Basic Multilingual Plane: kept by the batch tokeniser (a word
# character other than "_", or the apostrophe), built on first use.
_KEEP: list[np.ndarray] = []
_SPACE = 32
# An apostrophe `_WORD` does not take inside a word: at either end of a run, or a second one
# in a run. Text with one falls back to the regex.
_ODD_APOSTROPHE = re.compile(r"'(?:(?!\w)|(?<!\w')|\w++')")


def _keep_table() -> np.ndarray:
    if not _KEEP:
        # str.isalnum is what `\w` matches, "_" aside (sre: Py_UNICODE_ISALNUM or "_").
        keep = np.fromiter((chr(c).isalnum() for c in range(0x10000)), bool, 0x10000)
        keep[ord("'")] = True
        _KEEP.append(keep)
    return _KEEP[0]


@lru_cache(maxsize=1)
def _latin1_table() -> bytes:
    """`bytes.translate`'s table for Latin-1 text: kept characters as they are, others as spaces."""
    return bytes(c if keep else _SPACE for c, keep in enumerate(_keep_table()[:256].tolist()))


def _flatten(text: str) -> str:
    """URLs and addresses as single words ("xurl", "xemail"), before the words are cut."""
    if "http" in text:
        text = _HTTP.sub(" xurl ", text)
    if "www." in text:
        text = _WWW.sub(" xurl ", text)
    if "@" in text:
        text = _AT_TOKEN.sub(_email_token, text)
    return text


def _spaced(texts: list[str]) -> list[str]:
    """Each text with every character the word pattern does not take as a space: Latin-1
    text (most mail) through a byte table; the rest in one numpy pass over all of it."""
    table = _latin1_table()
    out: list[str] = []
    rest: list[int] = []
    for i, text in enumerate(texts):
        try:
            out.append(text.encode("latin-1").translate(table).decode("latin-1"))
        except UnicodeEncodeError:
            out.append("")
            rest.append(i)
    if rest:
        joined = "".join([texts[i] for i in rest])
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
        keep = _keep_table()[np.minimum(cps, 0xFFFF)]
        astral = np.flatnonzero(cps > 0xFFFF)  # emoji and rare scripts: a few per batch
        if len(astral):
            keep[astral] = [chr(c).isalnum() for c in cps[astral].tolist()]
        spaced = np.where(keep, cps, np.uint32(_SPACE)).tobytes()
        whole = spaced.decode("utf-32-le", "surrogatepass")
        at = 0
        for i in rest:
            out[i] = whole[at : at + len(texts[i])]
            at += len(texts[i])
    return out


def words_many(texts: Sequence[str]) -> list[list[str]]:
    """`words(t, lowered=True, zero=False)` for each of many lower-cased texts, with less
    work per word: every character the word pattern does not take becomes a space
    (`_spaced`), and `str.split` (in C) cuts the words. The regex still reads a text whose
    apostrophes `split` would get wrong ("'quoted'", "rock'n'roll")."""
    flat = [_flatten(t) for t in texts]
    out = []
    for text, piece in zip(flat, _spaced(flat), strict=True):
        if "'" in piece and _ODD_APOSTROPHE.search(piece):
            out.append((_WORD if "_" in text else _WORD_NO_UNDERSCORE).findall(text))
        else:
            out.append(piece.split())
    return out


@lru_cache(maxsize=4096)  # a sender's display name is read once, not once per message
def _name_words(name: str) -> tuple[str, ...]:
    return (*words(name, zero=False), *(["via"] if " via " in name.lower() else []))


def _subject(email: Email) -> str:
    """The subject without one reply or forward prefix: a reply says little of its kind."""
    subject = email.subject
    if subject.lower().startswith(("re:", "aw:", "tr:", "fwd:", "fw:")):
        subject = subject.split(":", 1)[1]
    return subject


def streams(
    email: Email, s: SenderInfo, low: str | None = None
) -> tuple[dict[str, list[str]], str]:
    """Word streams by where they come from (subject, body, sender name); the subject used.
    `low` is the email's `head`, when the caller has it already."""
    subject = _subject(email)
    name = list(_name_words(s.name))
    low = head(email) if low is None else low
    body = words(low[:BODY_CHARS], lowered=True, zero=False)[:BODY_WORDS]
    return {"s": words(subject, zero=False), "b": body, "n": name}, subject


@lru_cache(maxsize=4096)  # senders write many times: their features are worked out once
def sender_names(s: SenderInfo) -> tuple[str, ...]:
    feats = []
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
    return tuple(feats)


def knowledge_names(
    email: Email,
    s: SenderInfo,
    toks: dict[str, list[str]],
    subject: str,
    personal: bool,
    low: str | None = None,
) -> list[str]:
    """Features from what onward knows: senders, headers, phrase lists."""
    # A missing subject or sender is not evidence of anything (some exports drop them),
    # so it gets no feature of its own.
    feats = ["hdr:reply"] if subject != email.subject else []
    feats += sender_names(s)
    if email.list_unsubscribe or email.list_id:
        feats.append("hdr:list")
    if email.auto_submitted and email.auto_submitted.lower() != "no":
        feats.append("hdr:auto")
    # What trackers' phrase lists know, as features the model can weigh against the rest.
    sv, bv = set(toks["s"]), set(toks["b"])
    for kind, where in phrase_hits(toks["s"], toks["b"], (sv, bv)):
        feats.append(f"kw:{kind}:{where}")
    text = head(email) if low is None else low
    feats += [f"cue:{kind}" for kind in cue_kinds(text, sv | bv)]
    if personal and s.address:
        feats += [f"me:from:{s.address}", f"me:dom:{s.domain}"]
    return feats


def feature_names(email: Email, personal: bool = False) -> list[str]:
    """Named features of an email, for explanations. `personal` adds the exact sender, for
    local learning only: the shipped model must generalise to employers it never saw."""
    s = sender_info(email)
    low = head(email)
    toks, subject = streams(email, s, low)
    names = []
    for prefix, raw in toks.items():
        ws = [_zero_digits(w) for w in raw]
        names += [f"{prefix}:{w}" for w in ws]
        if prefix != "n":
            names += [f"{prefix}2:{a} {b}" for a, b in zip(ws, ws[1:], strict=False)]
    return names + knowledge_names(email, s, toks, subject, personal, low)


_PHRASE_INDEX: list[dict[str, list[tuple[tuple[str, ...], int, str]]]] = []


def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], int, str]]]:
    """Phrase lists as word sequences, each indexed by its longest word (with its offset):
    the longest word is the rarest, so most mail has none of the index's words. Built whole,
    then published: a thread classifying at the same time never reads half an index."""
    if not _PHRASE_INDEX:
        from onward.classify.rules import PHRASES

        index: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        for kind, phrases in PHRASES.items():
            for phrase in phrases:
                toks = tuple(words(phrase))
                if toks:
                    at = max(range(len(toks)), key=lambda k: len(toks[k]))
                    index.setdefault(toks[at], []).append((toks, at, kind))
        _PHRASE_INDEX.append(index)
    return _PHRASE_INDEX[0]


def phrase_kinds(toks: list[str], vocab: set[str] | None = None) -> set[str]:
    """Kinds whose phrases occur in a word sequence (whose distinct words are `vocab`)."""
    index = _phrase_index()
    found: set[str] = set()
    for anchor in index.keys() & (vocab if vocab is not None else set(toks)):
        i = toks.index(anchor)  # list.index scans in C: no Python loop over every word
        while True:
            for phrase, at, kind in index[anchor]:
                start = i - at
                if (
                    kind not in found
                    and start >= 0
                    and tuple(toks[start : start + len(phrase)]) == phrase
                ):
                    found.add(kind)
            try:
                i = toks.index(anchor, i + 1)
            except ValueError:
                break
    return found


def phrase_hits(
    subject: list[str], body: list[str], vocab: tuple[set[str], set[str]] | None = None
) -> list[tuple[str, str]]:
    sv, bv = vocab if vocab is not None else (set(subject), set(body))
    out = [(kind, "subject") for kind in sorted(phrase_kinds(subject, sv))]
    return out + [(kind, "body") for kind in sorted(phrase_kinds(body, bv))]


_SALT = {"s": 0x2545F491, "b": 0x1B873593, "n": 0x68E31DA4, "s2": 0x7FEB352D, "b2": 0x846CA68B}


_CODE_CACHE: dict[str, int] = {}
# Word hashes kept per process. Bounded low: every parsing process holds its own cache, and
# an inbox's vocabulary grows with its size (every order number is a new word); Zipf's law
# keeps the hit rate high at this size.
CODE_CACHE_WORDS = 1 << 15


def _code(tok: str) -> int:
    """The hash of a word with its digits zeroed, cached under the word as written."""
    code = zlib.crc32(_zero_digits(tok).encode("utf-8", "surrogatepass"))
    if len(_CODE_CACHE) >= CODE_CACHE_WORDS:
        _CODE_CACHE.clear()
    _CODE_CACHE[tok] = code
    return code


def _code_list(toks: list[str]) -> list[int]:
    try:
        return list(map(_CODE_CACHE.__getitem__, toks))  # runs in C while every word is known
    except KeyError:
        get = _CODE_CACHE.get
        return [get(t) or _code(t) for t in toks]


def _uni(codes: np.ndarray, salt: int | np.ndarray) -> np.ndarray:
    return (codes * 31 + salt) % N_BUCKETS


def _bi(left: np.ndarray, right: np.ndarray, salt: int | np.ndarray) -> np.ndarray:
    # Word bigrams hashed from the two word hashes: no string is built per bigram.
    hashed: np.ndarray = (left * 0x01000193 + right * 31 + salt) % N_BUCKETS
    return hashed


_NAME_INFO: dict[str, tuple[int, bool]] = {}


def _name_info(name: str) -> tuple[int, bool]:
    """A knowledge feature's bucket, and whether it is shared knowledge (not personal)."""
    info = (hash_name(name), name.startswith(KNOWLEDGE_PREFIXES))
    if len(_NAME_INFO) > 100_000:  # personal features name addresses: keep it bounded
        _NAME_INFO.clear()
    _NAME_INFO[name] = info
    return info


def hash_name(name: str) -> int:
    """The bucket of one named feature; the same bucket `vectors` puts it in."""
    prefix, _, value = name.partition(":")
    if prefix in ("s", "b", "n"):
        return int(_uni(np.array(_code_list([value])), _SALT[prefix])[0])
    if prefix in ("s2", "b2"):
        left, right = np.array(_code_list(value.split(" ", 1)))
        return int(_bi(left, right, _SALT[prefix]))
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % N_BUCKETS


# Knowledge that carries from one person's inbox to another's (phrases, senders, headers)
# gets a larger value than words: the same regularisation then lets it weigh more.
KNOWLEDGE_PREFIXES = ("kw:", "cue:", "ats:", "board:", "from:", "lp:", "hdr:")
KNOWLEDGE_VALUE = 8.0


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` for non-negative keys below 2**32, in two passes over
    16-bit halves: numpy sorts 16-bit keys by counting, and the two passes take a third of the
    time one comparison sort of 64-bit keys does."""
    top = int(keys.max()) if len(keys) else 0
    if top >= 1 << 32:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if top >= 1 << 16:
        order = order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _dedupe(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique is 5x slower on arrays this small)."""
    if len(a) < 2:
        return a
    a = a[stable_argsort(a)]
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


@dataclass(frozen=True, slots=True)
class Batch:
    """The features of many emails: email i's are `idx[starts[i]:starts[i + 1]]`, with values
    `val[...]`; words first, then knowledge, each sorted and each bucket once."""

    idx: np.ndarray
    val: np.ndarray
    starts: np.ndarray
    words: Sequence[list[str]] = ()  # each email's words, for the character-gram block

    def __len__(self) -> int:
        return len(self.starts) - 1

    def of(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return self.idx[a:b], self.val[a:b]


_UNI_SALTS = np.array([_SALT["s"], _SALT["b"], _SALT["n"]], dtype=np.int64)
_BI_SALTS = np.array([_SALT["s2"], _SALT["b2"], 0], dtype=np.int64)


def _reference_vectors(
    emails: Sequence[Email],
    personal: bool = False,
    senders: Sequence[SenderInfo] | None = None,
    heads: Sequence[str] | None = None,
) -> Batch:
    """`vectors` as first written, kept as its definition: tests/test_classify_equality.py
    proves the fast path gives the same buckets, values and verdicts.

    Bucket indices of each email's features, each once (presence, not counts), and values.

    Reading the words is Python, one email at a time; hashing, bigrams and deduplication
    are a few numpy calls for the whole batch, keyed by (email, bucket). Words and knowledge
    are deduplicated separately: the two share a bucket only through a rare hash collision,
    and then both count, the same way in training and prediction."""
    n = len(emails)
    codes: list[int] = []
    lengths: list[int] = []  # subject, body, sender-name words per email
    strong: list[int] = []
    weak: list[int] = []
    texts: list[list[str]] = []
    for m, email in enumerate(emails):
        s = senders[m] if senders is not None else sender_info(email)
        low = heads[m] if heads is not None else head(email)
        toks, subject = streams(email, s, low)
        texts.append(toks["s"] + toks["b"] + toks["n"])
        codes += _code_list(texts[-1])
        lengths += (len(toks["s"]), len(toks["b"]), len(toks["n"]))
        for name in knowledge_names(email, s, toks, subject, personal, low):
            bucket, shared = _NAME_INFO.get(name) or _name_info(name)
            # personal features are learnt locally, at the plain value
            (strong if shared else weak).append(m * N_BUCKETS + bucket)
    code = np.array(codes, dtype=np.int64)
    stream = np.repeat(np.tile(np.arange(3), n), lengths)
    owner = np.repeat(np.repeat(np.arange(n, dtype=np.int64), 3), lengths)
    uni = owner * N_BUCKETS + _uni(code, _UNI_SALTS[stream])
    # Bigrams of neighbouring words in one email's subject or body (not across streams).
    same = (stream[:-1] == stream[1:]) & (owner[:-1] == owner[1:]) & (stream[:-1] != 2)
    left, right, where = code[:-1][same], code[1:][same], stream[:-1][same]
    bi = owner[:-1][same] * N_BUCKETS + _bi(left, right, _BI_SALTS[where])
    plain = _dedupe(np.concatenate([uni, bi, np.array(weak, dtype=np.int64)]))
    know = _dedupe(np.array(strong, dtype=np.int64))
    keys = np.concatenate([plain, know])
    val = np.ones(len(keys), np.float32)
    val[len(plain) :] = KNOWLEDGE_VALUE
    order = np.argsort(keys // N_BUCKETS, kind="stable")  # by email; words before knowledge
    keys, val = keys[order], val[order]
    starts = np.searchsorted(keys // N_BUCKETS, np.arange(n + 1))
    return Batch(keys % N_BUCKETS, val, starts, tuple(texts))


class Vocabulary:
    """Every word met, numbered in order, with the hash of its digit-zeroed form: a message's
    words become ints once, with one dict lookup each, and the rest is numpy. Shared by the
    threads of a process (a fleet worker syncs several people at once): adding a word holds a
    lock, reading does not (a word's number is published after its hash is written)."""

    LIMIT = CODE_CACHE_WORDS  # bounded as the word caches are, for the same reason

    def __init__(self, generation: int = 0) -> None:
        self.generation = generation
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self.codes = np.zeros(1 << 14, np.uint32)
        self._lock = threading.Lock()

    def add(self, word: str) -> int:
        with self._lock:
            i = self.ids.get(word)
            if i is not None:
                return i
            i = len(self.words)
            if i == len(self.codes):
                self.codes = np.concatenate([self.codes, np.zeros_like(self.codes)])
            self.codes[i] = zlib.crc32(_zero_digits(word).encode("utf-8", "surrogatepass"))
            self.words.append(word)
            self.ids[word] = i
            return i

    def extend(self, ids: list[int], toks: list[str]) -> None:
        """Append the numbers of `toks` to `ids`."""
        mark = len(ids)
        try:
            ids += map(self.ids.__getitem__, toks)  # in C while every word is known
        except KeyError:
            del ids[mark:]
            get = self.ids.get
            ids += [i if (i := get(t)) is not None else self.add(t) for t in toks]


_VOCABULARY = [Vocabulary()]
_RENEWING = threading.Lock()


def vocabulary() -> Vocabulary:
    """The vocabulary for a new batch: a fresh one (the next generation) once the current one
    has reached `LIMIT` (as `GramScorer` clears its rows). A batch keeps the one it started
    with, so no batch mixes two numberings."""
    vocab = _VOCABULARY[0]
    if len(vocab.words) >= Vocabulary.LIMIT:
        with _RENEWING:
            if _VOCABULARY[0] is vocab:
                _VOCABULARY[0] = Vocabulary(vocab.generation + 1)
            vocab = _VOCABULARY[0]
    return vocab


class WordLists(Sequence[list[str]]):
    """Each email's words (subject, body, sender name), held as word numbers: the
    character-gram block reads the numbers (`chars.GramScorer`); training reads the lists."""

    def __init__(self, vocab: Vocabulary, ids: np.ndarray, starts: np.ndarray) -> None:
        self.vocab, self.generation, self.words = vocab, vocab.generation, vocab.words
        self.ids, self.starts = ids, starts  # email i's words: ids[starts[i]:starts[i + 1]]

    def __len__(self) -> int:
        return len(self.starts) - 1

    @overload
    def __getitem__(self, i: int) -> list[str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[str]]: ...
    def __getitem__(self, i: int | slice) -> list[str] | list[list[str]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return [self.words[w] for w in self.ids[a:b].tolist()]


_SHIFT = N_BUCKETS.bit_length() - 1
_MASK = np.uint32(N_BUCKETS - 1)
_UNI_SALTS32 = _UNI_SALTS.astype(np.uint32)
_BI_SALTS32 = _BI_SALTS.astype(np.uint32)


def vectors(
    emails: Sequence[Email],
    personal: bool = False,
    senders: Sequence[SenderInfo] | None = None,
    heads: Sequence[str] | None = None,
) -> Batch:
    """Bucket indices of each email's features, each once (presence, not counts), and values.

    The features `_reference_vectors` computes, with less Python per email: the subjects and
    bodies are cut into words in one pass (`words_many`), each word becomes a number with
    one dict lookup (`Vocabulary`), and hashing, bigrams and deduplication are a few numpy
    calls for the whole batch, keyed by (email, bucket). Words and knowledge are deduplicated
    separately: the two share a bucket only through a rare hash collision, and then both
    count, the same way in training and prediction."""
    n = len(emails)
    if n >= 1 << (32 - _SHIFT):  # (email, bucket) keys would not fit in 32 bits
        return _reference_vectors(emails, personal, senders, heads)
    ss = list(senders) if senders is not None else [sender_info(e) for e in emails]
    lows = list(heads) if heads is not None else [head(e) for e in emails]
    subjects = [_subject(e) for e in emails]
    cut = words_many([s.lower() for s in subjects] + [low[:BODY_CHARS] for low in lows])
    vocab = vocabulary()
    ids: list[int] = []
    lengths: list[int] = []  # subject, body, sender-name words per email
    strong: list[int] = []
    weak: list[int] = []
    for m, email in enumerate(emails):
        s = ss[m]
        toks = {"s": cut[m], "b": cut[n + m][:BODY_WORDS], "n": list(_name_words(s.name))}
        for part in toks.values():
            vocab.extend(ids, part)
        lengths += (len(toks["s"]), len(toks["b"]), len(toks["n"]))
        for name in knowledge_names(email, s, toks, subjects[m], personal, lows[m]):
            bucket, shared = _NAME_INFO.get(name) or _name_info(name)
            # personal features are learnt locally, at the plain value
            (strong if shared else weak).append(m * N_BUCKETS + bucket)
    word_ids = np.fromiter(ids, np.int64, len(ids))  # a fifth faster than np.array(list)
    # In uint32, wrapping: a bucket is the hash modulo 2**19, which divides 2**32, so the
    # buckets are the ones the int64 arithmetic of `_uni` and `_bi` gives, with half the memory.
    code = vocab.codes[word_ids]
    stream = np.repeat(np.tile(np.arange(3, dtype=np.uint8), n), lengths)
    owner = np.repeat(np.repeat(np.arange(n, dtype=np.uint32), 3), lengths) << _SHIFT
    uni = owner | ((code * 31 + _UNI_SALTS32[stream]) & _MASK)
    # Bigrams of neighbouring words in one email's subject or body (not across streams).
    same = (stream[:-1] == stream[1:]) & (owner[:-1] == owner[1:]) & (stream[:-1] != 2)
    left, right, where = code[:-1][same], code[1:][same], stream[:-1][same]
    bi = owner[:-1][same] | ((left * 0x01000193 + right * 31 + _BI_SALTS32[where]) & _MASK)
    plain = _dedupe(np.concatenate([uni, bi, np.array(weak, dtype=np.uint32)]))
    know = _dedupe(np.array(strong, dtype=np.uint32))
    keys = np.concatenate([plain, know])
    val = np.ones(len(keys), np.float32)
    val[len(plain) :] = KNOWLEDGE_VALUE
    order = np.argsort(keys >> _SHIFT, kind="stable")  # by email; words before knowledge
    keys, val = keys[order], val[order]
    starts = np.searchsorted(keys >> _SHIFT, np.arange(n + 1))
    word_starts = np.zeros(n + 1, np.int64)
    np.cumsum(np.array(lengths, np.int64).reshape(n, 3).sum(axis=1), out=word_starts[1:])
    idx = (keys & _MASK).astype(np.int64)
    return Batch(idx, val, starts, WordLists(vocab, word_ids, word_starts))


def vector(
    email: Email, personal: bool = False, s: SenderInfo | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One email's feature buckets and values (see `vectors`)."""
    return vectors([email], personal, None if s is None else [s]).of(0)
