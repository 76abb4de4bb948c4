"""Training and honest evaluation on the labelled corpus (needs scikit-learn).

Evaluation never splits at random: each job source is one person's inbox full of
repeated templates, so a message is only ever predicted by a model that saw nothing from
that person (their synthetic look-alikes included) and no message from the same employer.
"""

from __future__ import annotations

import csv
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import sparse

from onward.classify import KINDS, PRECIOUS
from onward.classify.extract import extract, norm_company
from onward.classify.features import N_BUCKETS, vectors
from onward.classify.model import DEFAULT_THRESHOLDS, Classifier, Weights
from onward.classify.rules import keyword_kind
from onward.classify.screen import has_no_job_words
from onward.classify.sender import sender_info
from onward.mail.model import Email
from onward.mail.parse import bounded, parse_message

SEED = 20261125
SYNTHETIC_WEIGHT = 0.3  # templates teach vocabulary, but must not outvote real mail
# Some exports drop the subject and sender (the corpus's sethpoly and enron have none): each
# training message is also learnt without them, at this weight, so that the body alone
# carries the decision when the headers are missing.
HEADERLESS_WEIGHT = 0.5
C = 1.0
MIN_DF = 2
BALANCE = 0.5  # 0 = raw class frequencies, 1 = fully balanced
# Whose inbox a source is: a person's synthetic look-alikes are held out with them.
PERSON = {
    "clarkpfohl": "clark",
    "clarkpfohl-synthetic": "clark",
    "sethpoly": "seth",
    "linkedin-fr": "julien",
    "wtj-fr": "julien",
    "wtj-fr-synthetic": "julien",
}
N_FOLDS = 3


@dataclass(frozen=True)
class Example:
    path: str
    email: Email
    kind: str
    company: str
    role: str
    source: str
    real: bool
    headerless: bool = False  # a training copy with subject and sender dropped


def load_corpus(root: Path) -> list[Example]:
    out = []
    with open(root / "labels.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            raw = (root / row["path"]).read_bytes()
            out.append(
                Example(
                    row["path"],
                    parse_message(bounded(raw)),
                    row["kind"],
                    row["company"],
                    row["role"],
                    row["source"],
                    row["real"] == "yes",
                )
            )
    return out


def fold_of(ex: Example) -> int:
    """Job mail by person; everything else by sender domain (or month, where no sender)."""
    person = PERSON.get(ex.source)
    if person:
        return {"clark": 0, "seth": 1, "julien": 2}[person]
    s = ex.email.sender
    key = s.email.rpartition("@")[2] if s and "corpus.onward.invalid" not in s.email else ""
    key = key or (ex.email.date.strftime("%Y-%m") if ex.email.date else ex.path)
    return zlib.crc32(f"{ex.source}:{key}".encode()) % N_FOLDS


def matrix(examples: Sequence[Example]) -> sparse.csr_matrix:
    """One row per example: the same features `Classifier.classify_many` computes."""
    parts = []
    for a in range(0, len(examples), 1000):
        batch = vectors([ex.email for ex in examples[a : a + 1000]])
        parts.append(
            sparse.csr_matrix((batch.val, batch.idx, batch.starts), shape=(len(batch), N_BUCKETS))
        )
    x = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, N_BUCKETS))
    x.sum_duplicates()  # a word and a knowledge feature in one bucket (a collision) add up
    return x


def headerless(ex: Example) -> Example | None:
    """The example as an export without subject and sender would give it (None if it is)."""
    if not ex.email.subject and not sender_info(ex.email).address:
        return None
    email = replace(ex.email, subject="", sender=None)
    return replace(ex, email=email, headerless=True)


def fit(x: sparse.csr_matrix, examples: list[Example]) -> Weights:
    from sklearn.linear_model import LogisticRegression

    # Words must occur in two real messages, not in one and its headerless copy.
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = df >= MIN_DF
    copies = [c for c in map(headerless, examples) if c is not None]
    if copies:
        x = sparse.vstack([x, matrix(copies)], format="csr")
        examples = [*examples, *copies]
    x = x @ sparse.diags(keep.astype(np.float32))
    y = np.array([KINDS.index(ex.kind) for ex in examples])
    counts = Counter(y.tolist())
    # Balanced classes, but gently (square root): not_job is most mail, and must stay likely.
    w = np.array([(len(y) / (len(counts) * counts[c])) ** BALANCE for c in y])
    w *= np.array([1.0 if ex.real else SYNTHETIC_WEIGHT for ex in examples])
    w *= np.array([HEADERLESS_WEIGHT if ex.headerless else 1.0 for ex in examples])
    clf = LogisticRegression(C=C, max_iter=3000, random_state=SEED)
    clf.fit(x, y, sample_weight=w)
    table = np.zeros((N_BUCKETS, len(KINDS)), dtype=np.float32)
    bias = np.zeros(len(KINDS), dtype=np.float32)
    for i, c in enumerate(clf.classes_):
        table[:, c] = clf.coef_[i]
        bias[c] = clf.intercept_[i]
    missing = [c for c in range(len(KINDS)) if c not in set(clf.classes_)]
    bias[missing] = -30.0  # a kind absent from this fold's training data is never predicted
    return Weights(KINDS, table, bias, keep.copy())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best, best_nll = 1.0, np.inf
    for t in np.arange(0.5, 4.01, 0.05):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -logp[np.arange(len(y)), y].mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


@dataclass
class Prediction:
    ex: Example
    kind: str
    needs_review: bool
    baseline: str
    company: str
    role: str
    screened: bool = False


def cross_validate(
    examples: list[Example], x: sparse.csr_matrix | None = None
) -> tuple[list[Prediction], float]:
    x = matrix(examples) if x is None else x
    folds = np.array([fold_of(ex) for ex in examples])
    y = np.array([KINDS.index(ex.kind) for ex in examples])
    oof = np.zeros((len(examples), len(KINDS)))
    known = np.zeros(len(examples))
    for k in range(N_FOLDS):
        test = np.flatnonzero(folds == k)
        employers = {norm_company(examples[i].company) for i in test} - {""}
        train = [
            i
            for i in np.flatnonzero(folds != k)
            if norm_company(examples[i].company) not in employers
        ]
        weights = fit(x[train], [examples[i] for i in train])
        xt = x[test]
        oof[test] = xt @ weights.table + weights.bias
        present = (xt > 0).astype(np.float32)
        known[test] = (present @ weights.known.astype(np.float32)) / np.maximum(
            present.getnnz(axis=1), 1
        )
    temperature = fit_temperature(oof, y)
    clf = Classifier(
        Weights(
            KINDS,
            np.zeros((1, len(KINDS)), np.float32),
            np.zeros(len(KINDS), np.float32),
            np.zeros(1, bool),
            temperature,
        )
    )
    preds = []
    for i, ex in enumerate(examples):
        # The same path as `Classifier.classify`: the screen first, then the model.
        screened = has_no_job_words(ex.email, sender_info(ex.email))
        if screened:
            kind, review = "not_job", False
        else:
            kind, _conf, review, _ = clf.decide(oof[i], float(known[i]))
        xt = extract(ex.email)
        base = keyword_kind(ex.email)
        preds.append(Prediction(ex, kind, review, base, xt.company, xt.role, screened))
    return preds, temperature


# ---- the report ------------------------------------------------------------------------
def scores(gold: list[str], pred: list[str]) -> dict[str, tuple[float, float, float, int]]:
    out = {}
    for k in KINDS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == k and p == k)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != k and p == k)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == k and p != k)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[k] = (prec, rec, f1, tp + fn)
    return out


def report(preds: list[Prediction], title: str) -> list[str]:
    gold = [p.ex.kind for p in preds]
    lines = [
        f"== {title}: {len(preds)} messages, each predicted by a model that never saw "
        f"its person or its employer =="
    ]
    model = [p.kind for p in preds]
    base = [p.baseline for p in preds]
    ms, bs = scores(gold, model), scores(gold, base)
    lines.append(
        f"{'kind':22} {'n':>5} | {'model P':>7} {'R':>5} {'F1':>5} | "
        f"{'keywords P':>10} {'R':>5} {'F1':>5}"
    )
    for k in KINDS:
        m, b = ms[k], bs[k]
        lines.append(
            f"{k:22} {m[3]:5d} | {m[0]:7.3f} {m[1]:5.3f} {m[2]:5.3f} | "
            f"{b[0]:10.3f} {b[1]:5.3f} {b[2]:5.3f}"
        )
    for name, pred in (("model", model), ("keywords", base)):
        crit = sum(1 for g, p in zip(gold, pred, strict=True) if g in PRECIOUS and p == "rejection")
        nj = [p for g, p in zip(gold, pred, strict=True) if g == "not_job"]
        fpr = sum(1 for p in nj if p != "not_job") / len(nj) if nj else 0.0
        acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold)
        lines.append(
            f"{name:9} accuracy {acc:.3f}; critical errors (interview/offer/assessment "
            f"called rejection) {crit}; not_job false-positive rate {fpr:.4f} "
            f"({sum(1 for p in nj if p != 'not_job')}/{len(nj)})"
        )
    screened = [p for p in preds if p.screened]
    lines.append(
        f"the screen decided {len(screened)} of {len(preds)} without the model "
        f"({sum(p.ex.kind != 'not_job' for p in screened)} of them job mail)"
    )
    review = sum(p.needs_review for p in preds)
    lines.append(
        f"model sends {review} of {len(preds)} to review "
        f"({sum(p.needs_review for p in preds if p.kind == 'rejection')} of its rejections)"
    )
    comp = [p for p in preds if p.ex.company]
    role = [p for p in preds if p.ex.role]
    c_ok = sum(norm_company(p.company) == norm_company(p.ex.company) for p in comp)
    r_ok = sum(p.role.strip().lower() == p.ex.role.strip().lower() for p in role)
    lines.append(
        f"company exact match {c_ok}/{len(comp)} = {c_ok / max(len(comp), 1):.3f} "
        f"(where the message states it); role exact match {r_ok}/{len(role)} = "
        f"{r_ok / max(len(role), 1):.3f}"
    )
    lines.append("confusion matrix (rows gold, columns model):")
    short = [k[:6] for k in KINDS]
    lines.append(" " * 22 + " ".join(f"{s:>6}" for s in short))
    for g in KINDS:
        row = [sum(1 for a, b in zip(gold, model, strict=True) if a == g and b == p) for p in KINDS]
        lines.append(f"{g:22}" + " ".join(f"{n:6d}" for n in row))
    return lines


def evaluate(corpus: Path) -> list[str]:
    examples = load_corpus(corpus)
    preds, temperature = cross_validate(examples)
    lines = report([p for p in preds if p.ex.real], "real mail")
    lines.append("")
    lines += report(
        [p for p in preds if not p.ex.real],
        "synthetic mail (templates: shown for completeness, not a measure)",
    )
    counts = Counter(ex.kind for ex in examples if ex.real)
    lines.append("")
    lines.append(
        "real messages per kind in the corpus: "
        + ", ".join(f"{k} {counts.get(k, 0)}" for k in KINDS)
    )
    lines.append(f"calibration temperature from the held-out predictions: {temperature:.2f}")
    return lines


def train(corpus: Path, out_dir: Path | None = None) -> tuple[Weights, list[str]]:
    examples = load_corpus(corpus)
    x = matrix(examples)
    preds, temperature = cross_validate(examples, x)
    weights = fit(x, examples)
    weights.temperature = temperature
    weights.thresholds = dict(DEFAULT_THRESHOLDS)
    weights.version = f"corpus{len(examples)}-seed{SEED}"
    info = {
        "trained_on": len(examples),
        "seed": SEED,
        "C": C,
        "balance": BALANCE,
        "synthetic_weight": SYNTHETIC_WEIGHT,
        "headerless_weight": HEADERLESS_WEIGHT,
        "min_df": MIN_DF,
    }
    if out_dir is None:
        weights.save(info=info)
    else:
        weights.save(out_dir / "model.npz", out_dir / "model.json", info=info)
    return weights, report([p for p in preds if p.ex.real], "real mail")
