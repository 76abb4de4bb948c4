"""Learning from the person's corrections, on top of the shipped model.

The shipped weights are never changed. Corrections train a small additive adjustment
(the way paperless-ngx retrains on reviewed documents), recomputed from the corrections
table whenever onward starts, so a new shipped model keeps every correction.

A correction speaks for its sender only: each sender's corrections train their own
adjustment, applied to that sender's mail and to no one else's. Words such as
"unfortunately" or "position" are shared by every employer, so an adjustment learnt on
them and applied to all mail would move other employers' verdicts (it did: seven
corrections pushed unrelated rejections past the archive threshold).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from onward.classify import knowledge as kb
from onward.classify.features import KNOWLEDGE_VALUE, vectors
from onward.classify.model import Classifier, Weights, softmax
from onward.classify.screen import has_no_job_words
from onward.classify.sender import SenderInfo, sender_info
from onward.mail.model import Email

TARGET = 0.95  # train until every corrected message gets its kind with this probability
MAX_EPOCHS = 300
RATE = 1.0


def sender_key(s: SenderInfo) -> str:
    """Whose mail a correction speaks for ("" when no one's: a message without a sender).

    An employer's own domain is the employer. An ATS, a job board or a freemail domain is
    shared by many employers or people, so there only the exact address under the same
    display name is the same sender."""
    if not s.address:
        return ""
    if s.ats or s.board or s.domain in kb.FREEMAIL:
        return f"{s.address.lower()} {s.name.strip().lower()}"
    return s.domain


class LocalAdjustment:
    def __init__(self, kinds: Sequence[str]) -> None:
        self.kinds = tuple(kinds)
        self.deltas: dict[str, dict[int, np.ndarray]] = {}  # by sender_key
        self.quiet: set[str] = set()  # senders whose job mail can lack every job word

    @property
    def screen(self) -> bool:
        """Whether the no-job-words screen may decide alone for every sender."""
        return not self.quiet

    def screens(self, s: SenderInfo) -> bool:
        """Whether the screen may decide alone for this sender's mail."""
        return sender_key(s) not in self.quiet

    def delta_for(self, s: SenderInfo) -> dict[int, np.ndarray]:
        return self.deltas.get(sender_key(s), {})

    def adjust(self, idx: np.ndarray, val: np.ndarray, s: SenderInfo) -> np.ndarray:
        return _shift(self.delta_for(s), idx, val, len(self.kinds))

    @classmethod
    def learn(cls, weights: Weights, corrections: Sequence[tuple[Email, str]]) -> LocalAdjustment:
        local = cls(weights.kinds)
        by_sender: dict[str, list[tuple[Email, str]]] = {}
        for email, kind in corrections:
            s = sender_info(email)
            key = sender_key(s)
            if not key:
                continue  # a correction with no sender has no one's mail to speak for
            if kind != "not_job" and has_no_job_words(email, s):
                local.quiet.add(key)  # this sender's job mail can lack every job word
            by_sender.setdefault(key, []).append((email, kind))
        for key, examples in by_sender.items():
            local.deltas[key] = _train(weights, examples)
        return local


def _shift(delta: dict[int, np.ndarray], idx: np.ndarray, val: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros(k, dtype=np.float32)
    if delta:
        for i, v in zip(idx.tolist(), val.tolist(), strict=True):
            d = delta.get(i)
            if d is not None:
                out += v * d
    return out


def _train(weights: Weights, corrections: Sequence[tuple[Email, str]]) -> dict[int, np.ndarray]:
    """One sender's adjustment: trained until each of its corrections gets its kind."""
    delta: dict[int, np.ndarray] = {}
    data = []
    shipped = Classifier(weights)
    for email, kind in corrections:
        batch = vectors([email], personal=True)
        idx, val = batch.of(0)
        # What the shipped model says, every block counted (words, knowledge, character grams).
        base = shipped.scores(batch)[0][0]
        # Only this sender's and this template's own features learn: the shipped
        # knowledge (a "talent@" address, an ATS, a phrase list) is shared by mail
        # from every employer, and one correction must not retrain it for all of them.
        own = np.where(val < KNOWLEDGE_VALUE, val, 0.0)
        data.append((idx, val, own, base, weights.kinds.index(kind)))
    t = weights.temperature
    for _ in range(MAX_EPOCHS):
        worst = 1.0
        for idx, val, own, base, target in data:
            p = softmax((base + _shift(delta, idx, val, len(weights.kinds))) / t)
            worst = min(worst, float(p[target]))
            if p[target] >= TARGET:
                continue
            grad = p.copy()
            grad[target] -= 1.0
            # Normalised step: each update moves this message's scores by about RATE,
            # however many features it has, so one correction cannot swamp the model.
            step = RATE * t / float(own @ own)
            for i, v in zip(idx.tolist(), own.tolist(), strict=True):
                if v:
                    row = delta.setdefault(i, np.zeros(len(weights.kinds), np.float32))
                    row -= step * v * grad
        if worst >= TARGET:
            break
    return delta
