"""The shipped model: a linear classifier over hashed features, loaded from a safe NPZ
file (no pickle) and applied with numpy alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from onward.classify import KINDS, PRECIOUS
from onward.classify.errors import ModelError
from onward.classify.extract import Extraction, extract
from onward.classify.features import N_BUCKETS, feature_names, hash_name, vector
from onward.classify.rules import matched_phrases
from onward.classify.screen import SCREEN_CONFIDENCE, has_no_job_words
from onward.classify.sender import SenderInfo, sender_info
from onward.mail.model import Email

MODEL_DIR = Path(__file__).parent
WEIGHTS = MODEL_DIR / "model.npz"
META = MODEL_DIR / "model.json"
# Below these, a verdict waits for the person. Rejection is strictest: it is the kind
# onward acts on (archive), so a wrong one hides mail.
DEFAULT_THRESHOLDS = {k: 0.6 for k in KINDS} | {"rejection": 0.8, "not_job": 0.5}
# "Rejection" is unsafe when an interview, offer or assessment is at least a quarter as likely
# as the rejection. A ratio, not a sum: mail in a language the model barely knows spreads a
# little probability over every kind, and that spread is not evidence of an interview.
PRECIOUS_RATIO = 0.25
MIN_KNOWN = 0.25  # share of an email's features the model has weights for


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    confidence: float
    needs_review: bool
    company: str = ""
    role: str = ""
    ats: str = ""
    reasons: tuple[str, ...] = ()
    probabilities: dict[str, float] = field(default_factory=dict)
    model_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "needs_review": self.needs_review,
            "company": self.company,
            "role": self.role,
            "ats": self.ats,
        }


@dataclass
class Weights:
    kinds: tuple[str, ...]
    table: np.ndarray  # (N_BUCKETS, K) float32
    bias: np.ndarray  # (K,)
    known: np.ndarray  # (N_BUCKETS,) bool: buckets the training data used
    temperature: float = 1.0
    version: str = ""
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))

    @classmethod
    def load(cls, weights: Path = WEIGHTS, meta: Path = META) -> Weights:
        try:
            with np.load(weights, allow_pickle=False) as z:
                rows, values, bias = z["rows"], z["weights"], z["bias"]
            info = json.loads(meta.read_text())
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"The classifier model could not be read ({exc}).") from exc
        kinds = tuple(info["kinds"])
        table = np.zeros((N_BUCKETS, len(kinds)), dtype=np.float32)
        table[rows] = values.astype(np.float32)
        known = np.zeros(N_BUCKETS, dtype=bool)
        known[rows] = True
        return cls(
            kinds,
            table,
            bias.astype(np.float32),
            known,
            float(info.get("temperature", 1.0)),
            str(info.get("version", "")),
            DEFAULT_THRESHOLDS | info.get("thresholds", {}),
        )

    def save(
        self, weights: Path = WEIGHTS, meta: Path = META, info: dict[str, Any] | None = None
    ) -> None:
        rows = np.flatnonzero(self.known).astype(np.int32)
        tmp = weights.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp,
            rows=rows,
            weights=self.table[rows].astype(np.float16),
            bias=self.bias.astype(np.float32),
        )
        tmp.replace(weights)  # atomic: a half-written model is never loaded
        body = {
            "kinds": list(self.kinds),
            "temperature": self.temperature,
            "version": self.version,
            "thresholds": self.thresholds,
            "n_buckets": N_BUCKETS,
        }
        meta.write_text(json.dumps(body | (info or {}), indent=1, sort_keys=True) + "\n")


@lru_cache(maxsize=1)
def shipped() -> Weights:
    return Weights.load()


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


class Classifier:
    """Shipped weights plus the person's own corrections (see `learn.LocalAdjustment`)."""

    def __init__(self, weights: Weights | None = None, local: Any = None) -> None:
        self.w = weights or shipped()
        self.local = local
        self._index = {k: i for i, k in enumerate(self.w.kinds)}

    def logits(self, email: Email, s: SenderInfo | None = None) -> tuple[np.ndarray, np.ndarray]:
        idx, val = vector(email, personal=self.local is not None, s=s)
        z = self.w.bias + val @ self.w.table[idx]
        if self.local is not None:
            z = z + self.local.adjust(idx, val)
        return z, idx

    def decide(self, z: np.ndarray, known: float) -> tuple[str, float, bool, list[str]]:
        """From scores to a kind, with the asymmetric caution a rejection needs."""
        return self._decide(softmax(z / self.w.temperature), known)

    def _decide(self, p: np.ndarray, known: float) -> tuple[str, float, bool, list[str]]:
        return self._decide_list(p.tolist(), known)

    def _decide_list(self, p: list[float], known: float) -> tuple[str, float, bool, list[str]]:
        # Plain floats: nine numpy scalar reads cost more than the whole decision.
        at = self._index
        kind, reasons = self.w.kinds[p.index(max(p))], []
        review = False
        risk = max(p[at[k]] for k in PRECIOUS)
        if kind == "rejection" and risk > PRECIOUS_RATIO * p[at[kind]]:
            # Never file away what might be an interview or an offer: call it that, ask.
            kind = max(PRECIOUS, key=lambda k: p[at[k]])
            review = True
            reasons.append(f"might be {kind} ({risk:.0%}), not a rejection")
        confidence = p[at[kind]]
        if confidence < self.w.thresholds.get(kind, 0.6):
            review = True
        if kind != "not_job" and known < MIN_KNOWN:
            review = True
            reasons.append(f"only {known:.0%} of its words are known to the model")
        return kind, confidence, review, reasons

    def screens(self, email: Email, s: SenderInfo) -> bool:
        """Whether the cheap screen may decide alone: not when this person's corrections
        taught that their job mail can lack every job word."""
        return (self.local is None or self.local.screen) and has_no_job_words(email, s)

    def screened(self) -> Verdict:
        rest = (1.0 - SCREEN_CONFIDENCE) / (len(self.w.kinds) - 1)
        return Verdict(
            "not_job",
            SCREEN_CONFIDENCE,
            False,
            reasons=("no word job mail uses in the sender, the subject or the start of the body",),
            probabilities={k: SCREEN_CONFIDENCE if k == "not_job" else rest for k in self.w.kinds},
            model_version=self.w.version + "+screen",
        )

    def classify(self, email: Email, explain: bool = False) -> Verdict:
        s = sender_info(email)
        if self.screens(email, s):
            return self.screened()
        z, idx = self.logits(email, s)
        known = np.count_nonzero(self.w.known[idx]) / len(idx) if len(idx) else 0.0
        p = softmax(z / self.w.temperature).tolist()
        kind, confidence, review, reasons = self._decide_list(p, known)
        x = extract(email, s) if kind != "not_job" else None
        if x is not None and kind == "job_alert":  # a digest lists many employers: no guess
            x = Extraction("", "", x.ats)
        if explain:
            names = feature_names(email, personal=self.local is not None)
            reasons += self.explain(email, kind, names)
        return Verdict(
            kind,
            confidence,
            review,
            x.company if x else "",
            x.role if x else "",
            x.ats if x else "",
            tuple(reasons),
            dict(zip(self.w.kinds, p, strict=True)),
            self.w.version + ("+local" if self.local is not None else ""),
        )

    def explain(self, email: Email, kind: str, names: list[str], top: int = 6) -> list[str]:
        k = self._index[kind]
        others = [i for i in range(len(self.w.kinds)) if i != k]
        scored: dict[str, float] = {}
        for name in set(names):
            bucket = hash_name(name)
            row = self.w.table[bucket]
            if self.local is not None:
                row = row + self.local.delta.get(bucket, 0.0)
            scored[name] = float(row[k] - row[others].max())
        out = []
        s = sender_info(email)
        if s.ats or s.board:
            out.append(f"sent through {s.ats or s.board}")
        phrases = matched_phrases(email).get(kind)
        if phrases:
            out.append("phrases: " + ", ".join(f'"{p}"' for p in phrases[:4]))
        best = sorted(scored.items(), key=lambda kv: -kv[1])[:top]
        out.append(
            "top features: " + ", ".join(f"{_label(n)} ({v:+.2f})" for n, v in best if v > 0)
        )
        return out


def _label(name: str) -> str:
    prefix, _, value = name.partition(":")
    if prefix == "kw":
        kind, _, where = value.partition(":")
        return f"{kind.replace('_', ' ')} phrases in the {where}"
    where = {
        "s": "subject",
        "s2": "subject",
        "b": "body",
        "b2": "body",
        "n": "sender name",
        "lp": "sender address",
        "ats": "ATS",
        "board": "job board",
        "hdr": "header",
        "from": "sender",
        "me": "your correction",
    }.get(prefix, prefix)
    return f'{where} "{value.replace("_", " ")}"'
