"""The shipped model: a linear classifier over hashed features, loaded from a safe NPZ
file (no pickle) and applied with numpy alone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from onward.classify import INTERVIEW_IN_DOUBT, KINDS, PRECIOUS
from onward.classify.chars import N_GRAM_BUCKETS, GramScorer
from onward.classify.elsewhere import why_not_job_mail
from onward.classify.errors import ModelError
from onward.classify.extract import Extraction, extract
from onward.classify.features import (
    KNOWLEDGE_VALUE,
    N_BUCKETS,
    Batch,
    feature_names,
    hash_name,
    head,
    vectors,
)
from onward.classify.rules import REPLY_PREFIX, decision_pending, matched_phrases
from onward.classify.screen import SCREEN_CONFIDENCE, has_no_job_words
from onward.classify.sender import SenderInfo, sender_info
from onward.mail.model import Email, pickled_by_fields

MODEL_DIR = Path(__file__).parent
WEIGHTS = MODEL_DIR / "model.npz"
META = MODEL_DIR / "model.json"
# Below these, a verdict waits for the person. Rejection is strictest: it is the kind
# onward acts on (archive), so a wrong one hides mail. "Not job" hides mail too: mail the model
# reads (it has job words) is left alone only at 0.8; under the protocol that halves the job
# mail hidden (152 → 81 held-out messages) for 27 more of 3,895 ordinary ones to review.
DEFAULT_THRESHOLDS = {k: 0.6 for k in KINDS} | {"rejection": 0.8, "not_job": 0.8}
_HIDES = frozenset({"rejection", "not_job"})  # archived, or left where nobody looks
# "Rejection" is unsafe when an interview, offer or assessment has real probability of its own.
# An absolute bar, not a ratio to the rejection: a ratio fired on weak rejections (a polite
# letter at 30%) when the interview was at 8%, which is no evidence of an interview; such a
# letter stays a rejection and waits for review by its own threshold.
PRECIOUS_EVIDENCE = 0.15
# Below this share of a message's features seen in training, the model is reading a language or
# a kind of mail it was not taught, and its confidence means little either way: a Dutch
# confirmation read as a rejection at 0.99, Spanish and Portuguese interviews read as ordinary
# mail at 0.9. Such mail waits for review, whatever the model says. English mail has about 0.8
# of its features known, mail in a language the model never saw about 0.5. Stricter for the two
# kinds that hide mail, as their thresholds are: under the protocol, 13 of the 3,950 ordinary
# messages the screen passes have less than 0.6 known (spam, mostly), and no job message.
MIN_KNOWN = 0.5
MIN_KNOWN_TO_HIDE = 0.6
BATCH = 512
# Words that say a decision or a meeting about a job (`rules.CUES`, the trackers' interview,
# offer and assessment phrases). Mail that has them is left alone as `not_job` only when the
# model is all but certain: a recruiter's two-line note from a personal address reads like
# ordinary mail to a model that learnt job mail from ATS templates.
EVIDENCE = (
    "cue:rejection",
    "cue:interview",
    "cue:assessment",
    "kw:interview:subject",
    "kw:interview:body",
    "kw:offer:subject",
    "kw:offer:body",
    "kw:assessment:subject",
    "kw:assessment:body",
)
NOT_JOB_WITH_EVIDENCE = 0.97
# Stricter when the subject itself names an application or an interview (`APPLICATION_SUBJECT`,
# evidence of weight 2): a job board's "Your job application has been shortlisted", long on
# boilerplate, read as ordinary mail at 0.98 once the hand-written sets taught the model that
# mail about other applications (a flat, a course) is ordinary. Under the protocol it sends 1 more
# of 7,619 ordinary messages to review.
NOT_JOB_WHEN_SUBJECT_NAMES_AN_APPLICATION = 0.99
_NOT_JOB_BAR = (1.0, NOT_JOB_WITH_EVIDENCE, NOT_JOB_WHEN_SUBJECT_NAMES_AN_APPLICATION)
# A reply or forward whose subject names an application, a post, an interview or an offer
# continues a job thread: the person wrote to an employer, or an employer answers them, in a
# person's words, which the model (taught mostly by templates) reads least well. Such mail
# counts as evidence too. The scan also knows a thread's stored mail (`thread.with_thread`);
# this is what is left when the rest of the thread is not in the mailbox.
_JOB_SUBJECT = re.compile(
    r"\b(?:applica\w*|candida\w*|positions?|posting|poste|roles?|rôle|jobs?|vacanc\w*|opening"
    r"|opportunit\w*|interview\w*|entretien|offers?|offre|bewerbung\w*|stelle|recruit\w*"
    r"|recrut\w*)\b"
)


# Any subject that names an application or an interview is about one: "Your job application
# has been shortlisted", "Interview invitation", "Ihre Bewerbung". Narrower than a reply's words
# ("offer", "opportunity", "position" head marketing mail too). Under the protocol it sends 2 of
# 7,619 ordinary messages to review and shows 1 held-out assessment that was hidden. Whole
# words: "applicable fees" and "Candida" name no application.
APPLICATION_SUBJECT = re.compile(
    r"\b(?:applica(?:tion|nt)\w*|candidat\w*|interview\w*|entretien|bewerbung\w*"
    r"|vorstellungsgespr\w*)\b"
)


def replies_on_a_job(subject: str) -> bool:
    low = subject.lower()
    return REPLY_PREFIX.match(low) is not None and _JOB_SUBJECT.search(low) is not None


def speaks_of_a_job(subject: str) -> bool:
    """Whether a subject names a job thread or an application: evidence (`EVIDENCE`)."""
    return _subject_evidence(subject) > 0


def _subject_evidence(subject: str) -> int:
    low = subject.lower()
    if APPLICATION_SUBJECT.search(low) is not None:
        return 2
    return 1 if replies_on_a_job(low) else 0


@pickled_by_fields  # sent back from a scan's parsing processes with each message
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
    table: np.ndarray  # (N_BUCKETS, K): float16 as shipped, float32 when freshly trained
    bias: np.ndarray  # (K,)
    known: np.ndarray  # (N_BUCKETS,) bool: buckets the training data used
    temperature: float = 1.0
    version: str = ""
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    # The character-gram block (`chars.py`): its weights and IDF, absent in older models.
    grams: np.ndarray | None = None  # (N_GRAM_BUCKETS, K) float32
    gram_idf: np.ndarray | None = None  # (N_GRAM_BUCKETS,) float32

    @classmethod
    def load(cls, weights: Path = WEIGHTS, meta: Path = META) -> Weights:
        try:
            with np.load(weights, allow_pickle=False) as z:
                rows, values, bias = z["rows"], z["weights"], z["bias"]
                gram_parts = (
                    (
                        z["gram_rows"],
                        z["gram_weights"],
                        z["gram_idf"],
                        z["gram_scale"] if "gram_scale" in z.files else np.ones(1, np.float32),
                    )
                    if "gram_rows" in z.files
                    else None
                )
            info = json.loads(meta.read_text())
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"The classifier model could not be read ({exc}).") from exc
        kinds = tuple(info["kinds"])
        # Kept as saved (float16), half the memory of float32 in every scanning process; the
        # scores are the same, as numpy widens each gathered weight exactly before multiplying.
        table = np.zeros((N_BUCKETS, len(kinds)), dtype=values.dtype)
        table[rows] = values
        known = np.zeros(N_BUCKETS, dtype=bool)
        known[rows] = True
        grams = gram_idf = None
        if gram_parts is not None:
            g_rows, g_values, g_idf, g_scale = gram_parts
            grams = np.zeros((N_GRAM_BUCKETS, len(kinds)), dtype=np.float32)
            grams[g_rows] = g_values.astype(np.float32) * g_scale.astype(np.float32)
            # A gram unseen in training has no weight; its IDF still counts in the length.
            gram_idf = np.full(N_GRAM_BUCKETS, float(info.get("gram_idf_unseen", 1.0)), np.float32)
            gram_idf[g_rows] = g_idf.astype(np.float32)
        return cls(
            kinds,
            table,
            bias.astype(np.float32),
            known,
            float(info.get("temperature", 1.0)),
            str(info.get("version", "")),
            DEFAULT_THRESHOLDS | info.get("thresholds", {}),
            grams,
            gram_idf,
        )

    def save(
        self, weights: Path = WEIGHTS, meta: Path = META, info: dict[str, Any] | None = None
    ) -> None:
        rows = np.flatnonzero(self.known).astype(np.int32)
        tmp = weights.with_suffix(".tmp.npz")
        arrays = {
            "rows": rows,
            "weights": self.table[rows].astype(np.float16),
            "bias": self.bias.astype(np.float32),
        }
        if self.grams is not None and self.gram_idf is not None:
            g_rows = np.flatnonzero(np.abs(self.grams).max(axis=1) > 0).astype(np.int32)
            # int8 with one scale per kind: a gram's weight is one of thousands summed, and the
            # block stays under half the size float16 would take.
            scale = np.maximum(np.abs(self.grams).max(axis=0), 1e-12) / 127.0
            arrays |= {
                "gram_rows": g_rows,
                "gram_weights": np.round(self.grams[g_rows] / scale).astype(np.int8),
                "gram_scale": scale.astype(np.float32),
                "gram_idf": self.gram_idf[g_rows].astype(np.float16),
            }
        np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]  # numpy's stub types the mapping as flags
        tmp.replace(weights)  # atomic: a half-written model is never loaded
        body = {
            "kinds": list(self.kinds),
            "temperature": self.temperature,
            "version": self.version,
            "thresholds": self.thresholds,
            "n_buckets": N_BUCKETS,
        }
        if self.gram_idf is not None:
            body["gram_idf_unseen"] = float(self.gram_idf.max())
        meta.write_text(json.dumps(body | (info or {}), indent=1, sort_keys=True) + "\n")


_EVIDENCE_BUCKETS = np.array(sorted({hash_name(n) for n in EVIDENCE}), dtype=np.int64)


def has_evidence(
    emails: Sequence[Email], idx: np.ndarray, val: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """Per email (rows `starts[i]:starts[i + 1]` of a batch), how much says it is job mail: 2
    when its subject names an application or an interview, 1 when an `EVIDENCE` feature is among
    its knowledge features or it replies on a job (`speaks_of_a_job`), else 0."""
    hit = np.isin(idx, _EVIDENCE_BUCKETS) & (val >= KNOWLEDGE_VALUE)
    counts = np.concatenate([[0], np.cumsum(hit)])
    found = (counts[starts[1:]] > counts[starts[:-1]]).astype(np.int8)
    subject = np.array([_subject_evidence(e.subject) for e in emails], dtype=np.int8)
    out: np.ndarray = np.maximum(found, subject)
    return out


@lru_cache(maxsize=1)
def shipped() -> Weights:
    return Weights.load()


def softmax(z: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis: one email's scores, or a batch's rows."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    probabilities: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return probabilities


class Classifier:
    """Shipped weights plus the person's own corrections (see `learn.LocalAdjustment`)."""

    def __init__(self, weights: Weights | None = None, local: Any = None) -> None:
        self.w = weights or shipped()
        self.local = local
        self._index = {k: i for i, k in enumerate(self.w.kinds)}
        self._grams = (
            GramScorer(self.w.grams, self.w.gram_idf)
            if self.w.grams is not None and self.w.gram_idf is not None
            else None
        )

    def scores(
        self, batch: Batch, senders: Sequence[SenderInfo] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each email's scores per kind, and the share of its features the model knows (the
        features the person's corrections taught count as known). The person's corrections
        count only for their senders' mail (`senders`)."""
        z = np.zeros((len(batch), len(self.w.kinds)), np.float32)
        known = np.zeros(len(batch))
        lengths = np.diff(batch.starts)
        some = lengths > 0
        if some.any():  # reduceat sums each email's rows; empty emails are left out of it
            at = batch.starts[:-1][some]
            z[some] = np.add.reduceat(self.w.table[batch.idx] * batch.val[:, None], at)
            known[some] = np.add.reduceat(self.w.known[batch.idx], at, dtype=np.int64)
            known[some] /= lengths[some]
        z += self.w.bias
        if self._grams is not None and len(batch):
            z += self._grams.scores(batch.words)
        if self.local is not None:
            for i, s in enumerate(senders):
                idx, val = batch.of(i)
                z[i] += self.local.adjust(idx, val, s)
                taught = self.local.delta_for(s)
                if taught and len(idx):  # what the person taught of this sender's mail is known
                    known[i] = np.mean(self.w.known[idx] | np.isin(idx, list(taught)))
        return z, known

    def decide(
        self,
        z: np.ndarray,
        known: float,
        evidence: int = 0,
        elsewhere: Callable[[str], str] | None = None,
        pending: Callable[[], bool] | None = None,
    ) -> tuple[str, float, bool, list[str]]:
        """From scores to a kind, with the asymmetric caution a rejection needs."""
        p = softmax(z / self.w.temperature).tolist()
        return self._decide(p, known, evidence, elsewhere, pending)

    def _decide(
        self,
        p: list[float],
        known: float,
        evidence: int = 0,
        elsewhere: Callable[[str], str] | None = None,
        pending: Callable[[], bool] | None = None,
    ) -> tuple[str, float, bool, list[str]]:
        """`elsewhere(kind)` says why mail about to be decided as that kind is not job mail after
        all ("" when it is): it is asked only of mail that would be decided as job mail (most mail
        is not, and asking costs). `pending()` says whether the text speaks of the application as
        still to be reviewed (`rules.decision_pending`), asked only of a would-be rejection."""
        # Plain floats: nine numpy scalar reads cost more than the whole decision.
        at = self._index
        kind, reasons = self.w.kinds[p.index(max(p))], []
        review = False
        risk = max(p[at[k]] for k in PRECIOUS)
        if kind == "rejection" and risk >= PRECIOUS_EVIDENCE:
            # Never file away what might be an interview or an offer: call it that, ask.
            kind = max(PRECIOUS, key=lambda k: p[at[k]])
            review = True
            reasons.append(f"might be {kind} ({risk:.0%}), not a rejection")
        elif kind == "rejection" and pending is not None and pending():
            # A letter that says the application will be reviewed has made no decision.
            kind, review = "application_received", True
            reasons.append("it says the application is still to be reviewed")
        confidence = p[at[kind]]
        if confidence < self.w.thresholds.get(kind, 0.6):
            review = True
        elif kind == "not_job" and evidence and confidence < _NOT_JOB_BAR[min(evidence, 2)]:
            review = True
            reasons.append("it speaks of a decision, an interview, a test or an offer")
        if not review and known < (MIN_KNOWN_TO_HIDE if kind in _HIDES else MIN_KNOWN):
            review = True
            reasons.append(f"only {known:.0%} of its words are known to the model")
        if kind == "not_job" and review and evidence and p[at["interview"]] >= INTERVIEW_IN_DOUBT:
            kind, confidence = "interview", p[at["interview"]]
            reasons.append(f"might be an interview ({confidence:.0%})")
        why = elsewhere(kind) if kind != "not_job" and not review and elsewhere else ""
        if why:
            review = True
            reasons.append(why)
        return kind, confidence, review, reasons

    def screens(self, email: Email, s: SenderInfo, low: str | None = None) -> bool:
        """Whether the cheap screen may decide alone: not when this person's corrections
        taught that their job mail can lack every job word."""
        return (self.local is None or self.local.screens(s)) and has_no_job_words(email, s, low)

    @cached_property
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
        return self.classify_many([email], explain)[0]

    def classify_many(self, emails: Sequence[Email], explain: bool = False) -> list[Verdict]:
        """Verdicts for many emails at once: the numpy work is done per batch, not per email."""
        if len(emails) > BATCH:  # bounded batches keep the gathered weights in the CPU cache
            return [
                v
                for a in range(0, len(emails), BATCH)
                for v in self.classify_many(emails[a : a + BATCH], explain)
            ]
        senders = [sender_info(e) for e in emails]
        heads = [head(e) for e in emails]
        out: list[Verdict | None] = [None] * len(emails)
        todo = []
        for i, (email, s) in enumerate(zip(emails, senders, strict=True)):
            if self.screens(email, s, heads[i]):
                out[i] = self.screened
            else:
                todo.append(i)
        batch = vectors(
            [emails[i] for i in todo],
            self.local is not None,
            [senders[i] for i in todo],
            [heads[i] for i in todo],
        )
        z, known = self.scores(batch, [senders[i] for i in todo])
        p = softmax(z / self.w.temperature)
        evidence = has_evidence([emails[i] for i in todo], batch.idx, batch.val, batch.starts)
        for j, i in enumerate(todo):
            out[i] = self._verdict(
                emails[i], senders[i], p[j].tolist(), known[j], int(evidence[j]), heads[i], explain
            )
        return out  # type: ignore[return-value]

    def _verdict(
        self,
        email: Email,
        s: SenderInfo,
        p: list[float],
        known: float,
        evidence: int,
        low_head: str,
        explain: bool,
    ) -> Verdict:
        kind, confidence, review, reasons = self._decide(
            p,
            known,
            evidence,
            lambda kind: why_not_job_mail(
                kind,
                email.subject,
                s.name,
                low_head,
                bool(email.in_reply_to),
                bool(s.ats or s.board),
            ),
            lambda: decision_pending(low_head),
        )
        x = None
        if kind == "job_alert":  # a digest lists many employers: no guess
            x = Extraction("", "", s.ats or s.board or "")
        elif kind != "not_job":
            x = extract(email, s)
        if explain:
            names = feature_names(email, personal=self.local is not None)
            reasons += self.explain(email, kind, names, s)
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

    def explain(
        self, email: Email, kind: str, names: list[str], s: SenderInfo, top: int = 6
    ) -> list[str]:
        k = self._index[kind]
        delta = self.local.delta_for(s) if self.local is not None else {}
        others = [i for i in range(len(self.w.kinds)) if i != k]
        scored: dict[str, float] = {}
        for name in set(names):
            bucket = hash_name(name)
            row = self.w.table[bucket]
            if bucket in delta:
                row = row + delta[bucket]
            scored[name] = float(row[k] - row[others].max())
        out = []
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
