"""Character 3-5 grams of each word (" candidature " → " ca", "can", ...): inflections,
French and German compounds, and words the training mail spelt differently still share most
of their grams with the ones it had.

A message's block is the sum over its distinct words of (1 + log count) × the word's grams,
each weighted by the gram's IDF, divided by the block's length with the words taken as
independent. Defined per word, not per gram, so that prediction needs one cached row per
word type (`GramScorer`), not a gather over thousands of grams per message; training builds
the same vector explicitly (`gram_matrix`), so both compute one function.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from onward.classify.features import WordLists, stable_argsort

if TYPE_CHECKING:  # training builds sparse matrices; prediction never loads scipy (13 MB)
    from scipy import sparse

N_GRAM_BUCKETS = 1 << 18
SIZES = (3, 4, 5)
MAX_WORD = 30  # longer "words" are tokens, hashes and base64: their grams say nothing
_SALT = b"g:"
# Word types a `GramScorer` keeps rows for. Every parsing process holds one, and an inbox's
# vocabulary grows with its size (numbers, codes, names), so the bound is what keeps a scan's
# memory flat at any N; Zipf's law keeps the hit rate high at this size.
SCORER_WORDS = 1 << 15


def gram_buckets(word: str) -> np.ndarray:
    """The bucket of every 3-, 4- and 5-gram of the word padded with spaces (repeats kept)."""
    if len(word) > MAX_WORD:
        return np.zeros(0, np.int64)
    padded = f" {word} "
    out = [
        zlib.crc32(_SALT + padded[i : i + n].encode("utf-8", "surrogatepass")) % N_GRAM_BUCKETS
        for n in SIZES
        for i in range(len(padded) - n + 1)
    ]
    return np.array(out, np.int64)


# Training reads each word type many times over; prediction caches its own rows per word.
grams = lru_cache(maxsize=200_000)(gram_buckets)


def word_weights(tokens: Sequence[str]) -> list[tuple[str, float]]:
    """Each distinct word with its sublinear term frequency."""
    return [(w, 1.0 + math.log(c)) for w, c in Counter(tokens).items()]


def document_frequency(docs: Sequence[Sequence[str]]) -> np.ndarray:
    """In how many documents each gram bucket occurs (for the IDF)."""
    df = np.zeros(N_GRAM_BUCKETS, np.int64)
    for toks in docs:
        seen = [grams(w) for w in set(toks)]
        if seen:
            df[np.unique(np.concatenate(seen))] += 1
    return df


def idf_of(df: np.ndarray, n_docs: int) -> np.ndarray:
    return (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)


def gram_matrix(docs: Sequence[Sequence[str]], idf: np.ndarray) -> sparse.csr_matrix:
    """The block for many documents (training)."""
    from scipy import sparse

    rows, cols, vals = [], [], []
    for r, toks in enumerate(docs):
        parts, norm2 = [], 0.0
        for w, tf in word_weights(toks):
            g = grams(w)
            if len(g):
                v = tf * idf[g]
                parts.append((g, v))
                norm2 += float(v @ v)
        scale = 1.0 / math.sqrt(norm2) if norm2 else 0.0
        for g, v in parts:
            cols.append(g)
            vals.append(v * scale)
            rows.append(np.full(len(g), r))
    m = sparse.csr_matrix(
        (
            np.concatenate(vals) if vals else np.zeros(0, np.float32),
            (
                np.concatenate(rows) if rows else np.zeros(0, np.int64),
                np.concatenate(cols) if cols else np.zeros(0, np.int64),
            ),
        ),
        shape=(len(docs), N_GRAM_BUCKETS),
        dtype=np.float32,
    )
    m.sum_duplicates()
    return m


class GramScorer:
    """The block's contribution to each kind's score, from one cached row per word type: the
    IDF-weighted sum of the word's gram weights, and the squared length of its gram vector.
    Rows live in growing arrays so a batch is scored with a few numpy calls."""

    def __init__(self, table: np.ndarray, idf: np.ndarray) -> None:
        self.table = table  # (N_GRAM_BUCKETS, K)
        self.idf = idf
        self._index: dict[str, int] = {}
        # A `Vocabulary` word number's row here (-1: not yet looked up), for that vocabulary
        # (held by identity: two vocabularies may carry the same generation number).
        self._row_of = np.zeros(0, np.int32)
        self._vocab: object = None
        self._s = np.zeros((1024, table.shape[1]), np.float32)
        self._q = np.zeros(1024, np.float32)

    def _add(self, word: str) -> int:
        i = len(self._index)
        if i == len(self._q):
            self._s = np.concatenate([self._s, np.zeros_like(self._s)])
            self._q = np.concatenate([self._q, np.zeros_like(self._q)])
        g = gram_buckets(word)  # not `grams`: its cache would hold a second copy per word
        w = self.idf[g]
        self._s[i] = w @ self.table[g]
        self._q[i] = w @ w
        self._index[word] = i
        return i

    def scores(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        if len(self._index) >= SCORER_WORDS:
            self._index.clear()
            self._row_of = np.zeros(0, np.int32)
        if isinstance(docs, WordLists):
            return self._scores_of_numbers(docs)
        out = np.zeros((len(docs), self.table.shape[1]), np.float32)
        idx: list[int] = []
        tfs: list[float] = []
        lengths: list[int] = []
        get = self._index.get
        for toks in docs:
            counts = Counter(toks)
            idx += [i if (i := get(w)) is not None else self._add(w) for w in counts]
            tfs += [1.0 + math.log(c) for c in counts.values()]
            lengths.append(len(counts))
        if not idx:
            return out
        ix, tf = np.array(idx), np.array(tfs, np.float32)
        some = np.array(lengths) > 0
        starts = np.cumsum([0, *lengths])[:-1][some]
        acc = np.add.reduceat(self._s[ix] * tf[:, None], starts)
        norm2 = np.add.reduceat(self._q[ix] * tf * tf, starts)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[some] = np.where(norm2[:, None] > 0, acc / np.sqrt(norm2)[:, None], 0.0)
        return out

    def _rows(self, docs: WordLists) -> np.ndarray:
        """Each word's row, adding the words this scorer has not met."""
        if self._vocab is not docs.vocab:
            self._row_of, self._vocab = np.zeros(0, np.int32), docs.vocab
        if len(self._row_of) < len(docs.words):
            grown = np.full(max(len(docs.words), 2 * len(self._row_of)), -1, np.int32)
            grown[: len(self._row_of)] = self._row_of
            self._row_of = grown
        rows: np.ndarray = self._row_of[docs.ids]
        missing = rows < 0
        if missing.any():
            for w in np.unique(docs.ids[missing]).tolist():
                word = docs.words[w]
                row = self._index.get(word)
                self._row_of[w] = row if row is not None else self._add(word)
            rows = self._row_of[docs.ids]
        return rows

    def _scores_of_numbers(self, docs: WordLists) -> np.ndarray:
        """`scores` from word numbers, in numpy: each email's distinct words in the order
        they first occur, with their counts, as `Counter` gives them to the plain path, so
        that the float32 sums are the same ones, in the same order."""
        n = len(docs)
        out = np.zeros((n, self.table.shape[1]), np.float32)
        ids = docs.ids
        if not len(ids):
            return out
        owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(docs.starts))
        key = owner * (int(ids.max()) + 1) + ids
        order = stable_argsort(key)
        ordered = key[order]
        new_group = np.empty(len(key), bool)
        new_group[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
        heads = np.flatnonzero(new_group)
        first = order[heads]  # stable: a group's first member is the word's first occurrence
        counts = np.diff(np.append(heads, len(key)))
        is_first = np.zeros(len(key), bool)
        is_first[first] = True
        count_at = np.zeros(len(key), np.int64)
        count_at[first] = counts
        ix = self._rows(docs)[is_first]
        tf = _log_tf(int(counts.max()))[count_at[is_first]].astype(np.float32)
        lengths = np.bincount(owner[is_first], minlength=n)
        some = lengths > 0
        starts = np.cumsum(np.concatenate([[0], lengths]))[:-1][some]
        acc = np.add.reduceat(self._s[ix] * tf[:, None], starts)
        norm2 = np.add.reduceat(self._q[ix] * tf * tf, starts)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[some] = np.where(norm2[:, None] > 0, acc / np.sqrt(norm2)[:, None], 0.0)
        return out


_LOG_TF: list[np.ndarray] = [np.zeros(0)]


def _log_tf(top: int) -> np.ndarray:
    """1 + log(count) for counts up to `top`, by `math.log` as `word_weights` computes it
    (numpy's log may differ from it in the last bit)."""
    table = _LOG_TF[0]
    if len(table) <= top:  # built locally: another thread may publish a shorter one meanwhile
        size = max(top + 1, 2 * len(table), 256)
        table = np.array([0.0] + [1.0 + math.log(c) for c in range(1, size)])
        _LOG_TF[0] = table
    return table
