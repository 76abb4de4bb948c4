"""Learning from the person's corrections, on top of the shipped model.

The shipped weights are never changed. Corrections train a small additive adjustment
(the way paperless-ngx retrains on reviewed documents), recomputed from the corrections
table whenever onward starts, so a new shipped model keeps every correction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from onward.classify.features import KNOWLEDGE_VALUE, vector
from onward.classify.model import Weights, softmax
from onward.classify.screen import has_no_job_words
from onward.classify.sender import sender_info
from onward.mail.model import Email

TARGET = 0.9  # train until every corrected message gets its kind with this probability
MAX_EPOCHS = 300
RATE = 1.0


class LocalAdjustment:
    def __init__(self, kinds: Sequence[str]) -> None:
        self.kinds = tuple(kinds)
        self.delta: dict[int, np.ndarray] = {}
        self.screen = True  # whether the no-job-words screen may decide alone

    def adjust(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.kinds), dtype=np.float32)
        for i, v in zip(idx.tolist(), val.tolist(), strict=True):
            d = self.delta.get(i)
            if d is not None:
                out += v * d
        return out

    @classmethod
    def learn(cls, weights: Weights, corrections: Sequence[tuple[Email, str]]) -> LocalAdjustment:
        local = cls(weights.kinds)
        data = []
        for email, kind in corrections:
            if kind != "not_job" and has_no_job_words(email, sender_info(email)):
                local.screen = False  # this person's job mail can lack every job word
            idx, val = vector(email, personal=True)
            base = weights.bias + val @ weights.table[idx]
            # Only this sender's and this template's own features learn: the shipped
            # knowledge (a "talent@" address, an ATS, a phrase list) is shared by mail
            # from every employer, and one correction must not retrain it for all of them.
            own = np.where(val < KNOWLEDGE_VALUE, val, 0.0)
            data.append((idx, val, own, base, weights.kinds.index(kind)))
        t = weights.temperature
        for _ in range(MAX_EPOCHS):
            worst = 1.0
            for idx, val, own, base, target in data:
                p = softmax((base + local.adjust(idx, val)) / t)
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
                        row = local.delta.setdefault(i, np.zeros(len(weights.kinds), np.float32))
                        row -= step * v * grad
            if worst >= TARGET:
                break
        return local
