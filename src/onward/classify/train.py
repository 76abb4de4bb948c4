"""Training and honest evaluation on the labelled corpus (needs scikit-learn).

Evaluation never splits at random: each job source is one person's inbox full of
repeated templates, so a message is only ever predicted by a model that saw nothing from
that person (their synthetic look-alikes included) and no message from the same employer.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
from scipy import sparse

from onward.classify import KINDS, chars
from onward.classify.elsewhere import why_not_job_mail
from onward.classify.evaluation import Held, Outcome, splits, summarise, table
from onward.classify.extract import extract, norm_company
from onward.classify.features import N_BUCKETS, head, vectors
from onward.classify.model import DEFAULT_THRESHOLDS, Classifier, Weights, has_evidence
from onward.classify.rules import decision_pending, keyword_kind
from onward.classify.screen import has_no_job_words
from onward.classify.sender import sender_info
from onward.mail.model import Email
from onward.mail.parse import parse_message
from onward.mail.prefix import bounded

SEED = 20261125
SYNTHETIC_WEIGHT = 0.3  # templates teach vocabulary, but must not outvote real mail
# Some exports drop the subject and sender (the corpus's sethpoly and enron have none): each
# training message is also learnt without them, at this weight, so that the body alone
# carries the decision when the headers are missing.
HEADERLESS_WEIGHT = 0.5
C = 1.0
MIN_DF = 2
# The character-gram block's weight beside the binary word features (0: no block).
GRAM_SCALE = 3.0
BALANCE = 1.0  # 0 = raw class frequencies, 1 = fully balanced


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


# People's own wording (`written.py`): how many of each kind join the corpus in training.
WRITTEN_PER_KIND = 150


def caveated_count() -> int:
    from onward.classify import written

    return written.CAVEATED_COUNT


def written_examples(per_kind: int = WRITTEN_PER_KIND) -> list[Example]:
    from onward.classify import written

    return [
        Example(f"written/{i}", w.email, w.kind, w.company, w.role, written.SOURCE, False)
        for i, w in enumerate(written.generate(per_kind))
    ]


# Mail written blind for onward by team members who read none of its code or data
# (tests/data/written-blind*, each with its README): how people write, which the corpus's
# templates lack, and languages it lacks (Spanish, Dutch, Portuguese). Trained on, never scored
# by the protocol. Which files: all of the first two sets and of the fifth to eleventh, and the
# even-numbered half of the third and fourth. Unseen, to measure what this does: the odd halves
# of the third and fourth, and the twelfth to fifteenth, written after the model they measured
# (docs/evaluation.md, seventh to ninth sessions).
HANDWRITTEN = {
    "written-blind": None,
    "written-blind-2": None,
    "written-blind-3": "even",
    "written-blind-4": "even",
    **{f"written-blind-{n}": None for n in range(5, 12)},
}
# The writers' brief asked for 25 rejections to 15 confirmations in a mailbox; real mailboxes
# hold about half as many rejections as confirmations (the corpus: 197 and 396). At full weight
# the hand-written declines, warm and soft, taught the model that warmth is a decline: under the
# protocol, rejection precision 0.980 (three confirmations read as rejections); at half, 0.990.
HANDWRITTEN_KIND_WEIGHT: dict[str, float] = {"rejection": 0.5}
HANDWRITTEN_SOURCE = "onward-handwritten"
HANDWRITTEN_DIR = Path(__file__).resolve().parents[3] / "tests" / "data"


def handwritten_examples(root: Path = HANDWRITTEN_DIR) -> list[Example]:
    """The hand-written sets that are trained on, as real mail of a train-only source."""
    if not (root / "written-blind").is_dir():
        raise FileNotFoundError(
            f"the hand-written training mail is not at {root}: train from a clone of the repository"
        )
    out = []
    for name, half in HANDWRITTEN.items():
        with open(root / name / "labels.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if half == "even" and int(row["path"].removesuffix(".eml")[-3:]) % 2:
                    continue
                raw = (root / name / row["path"]).read_bytes()
                email = parse_message(bounded(raw))
                path = f"{name}/{row['path']}"
                out.append(
                    Example(
                        path,
                        email,
                        row["kind"],
                        row["company"],
                        row["role"],
                        HANDWRITTEN_SOURCE,
                        True,
                    )
                )
    return out


def training_set(root: Path) -> list[Example]:
    """The corpus, and the written and hand-written mail that is trained on but never
    scored."""
    written = written_examples() if WRITTEN_PER_KIND else []
    return load_corpus(root) + written + handwritten_examples()


def held(ex: Example) -> Held:
    s = ex.email.sender
    domain = s.email.rpartition("@")[2] if s else ""
    return Held(ex.source, domain, norm_company(ex.company), ex.real)


@dataclass(frozen=True)
class Rows:
    """Training rows: the hashed word and knowledge features, and each row's words (for the
    character-gram block, whose IDF depends on which rows are trained on)."""

    x: sparse.csr_matrix
    words: tuple[list[str], ...]

    def take(self, idx: np.ndarray | Sequence[int]) -> Rows:
        return Rows(self.x[idx], tuple(self.words[i] for i in idx))

    def plus(self, other: Rows) -> Rows:
        return Rows(sparse.vstack([self.x, other.x], format="csr"), self.words + other.words)


def matrix(examples: Sequence[Example]) -> Rows:
    """One row per example: the same features `Classifier.classify_many` computes."""
    parts: list[sparse.csr_matrix] = []
    words: list[list[str]] = []
    for a in range(0, len(examples), 1000):
        batch = vectors([ex.email for ex in examples[a : a + 1000]])
        parts.append(
            sparse.csr_matrix((batch.val, batch.idx, batch.starts), shape=(len(batch), N_BUCKETS))
        )
        words += batch.words
    x = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, N_BUCKETS))
    x.sum_duplicates()  # a word and a knowledge feature in one bucket (a collision) add up
    return Rows(x, tuple(words))


def headerless(ex: Example) -> Example | None:
    """The example as an export without subject and sender would give it (None if it is)."""
    if not ex.email.subject and not sender_info(ex.email).address:
        return None
    email = replace(ex.email, subject="", sender=None)
    return replace(ex, email=email, headerless=True)


def fit(rows: Rows, examples: list[Example]) -> Weights:
    from sklearn.linear_model import LogisticRegression

    # Words must occur in two real messages, not in one and its headerless copy.
    df = np.asarray((rows.x > 0).sum(axis=0)).ravel()
    keep = df >= MIN_DF
    gram_idf = chars.idf_of(chars.document_frequency(rows.words), len(rows.words))
    copies = [c for c in map(headerless, examples) if c is not None]
    if copies:
        rows = rows.plus(matrix(copies))
        examples = [*examples, *copies]
    x = rows.x @ sparse.diags(keep.astype(np.float32))
    if GRAM_SCALE:
        x = sparse.hstack([x, GRAM_SCALE * chars.gram_matrix(rows.words, gram_idf)], format="csr")
    y = np.array([KINDS.index(ex.kind) for ex in examples])
    counts = Counter(y.tolist())
    # Balanced classes: under the protocol, full balance decided more rejections (0.949 against
    # 0.929 at square root) for 12 instead of 7 of 7,619 ordinary messages called job mail.
    w = np.array([(len(y) / (len(counts) * counts[c])) ** BALANCE for c in y])
    w *= np.array([1.0 if ex.real else SYNTHETIC_WEIGHT for ex in examples])
    w *= np.array([HEADERLESS_WEIGHT if ex.headerless else 1.0 for ex in examples])
    w *= np.array(
        [
            HANDWRITTEN_KIND_WEIGHT.get(ex.kind, 1.0) if ex.source == HANDWRITTEN_SOURCE else 1.0
            for ex in examples
        ]
    )
    clf = LogisticRegression(C=C, max_iter=3000, random_state=SEED)
    clf.fit(x, y, sample_weight=w)
    table = np.zeros((x.shape[1], len(KINDS)), dtype=np.float32)
    bias = np.zeros(len(KINDS), dtype=np.float32)
    for i, c in enumerate(clf.classes_):
        table[:, c] = clf.coef_[i]
        bias[c] = clf.intercept_[i]
    missing = [c for c in range(len(KINDS)) if c not in set(clf.classes_)]
    bias[missing] = -30.0  # a kind absent from this fold's training data is never predicted
    if not GRAM_SCALE:
        return Weights(KINDS, table, bias, keep.copy())
    grams = table[N_BUCKETS:] * GRAM_SCALE  # the block was trained scaled: fold it in
    return Weights(KINDS, table[:N_BUCKETS], bias, keep.copy(), grams=grams, gram_idf=gram_idf)


def _elsewhere(email: Email, kind: str) -> str:
    s = sender_info(email)
    return why_not_job_mail(
        kind, email.subject, s.name, head(email), bool(email.in_reply_to), bool(s.ats or s.board)
    )


def _pending(email: Email) -> bool:
    return decision_pending(head(email))


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
    peer: Outcome | None = None  # the plain peer's verdict on the same message

    @property
    def outcome(self) -> Outcome:
        return Outcome(self.ex.kind, self.kind, self.needs_review)


def cross_validate(
    examples: list[Example], x: Rows | None = None, peer: bool = False
) -> tuple[list[Prediction], float]:
    """Every scored message predicted by a model that never saw its person or employer
    (`evaluation.splits`); with `peer`, the plain peer's verdict beside it."""
    x = matrix(examples) if x is None else x
    y = np.array([KINDS.index(ex.kind) for ex in examples])
    oof = np.zeros((len(examples), len(KINDS)))
    known = np.zeros(len(examples))
    scored: list[int] = []
    peer_p = np.zeros((len(examples), len(KINDS)))
    peer_words = peer_chars = None
    if peer:
        from onward.classify import peer as plain

        peer_words, peer_chars = plain.counts([ex.email for ex in examples])
    for _group, train, test in splits([held(ex) for ex in examples]):
        weights = fit(x.take(train), [examples[i] for i in train])
        xt = x.x[test]
        oof[test] = xt @ weights.table + weights.bias
        if weights.grams is not None and weights.gram_idf is not None:
            scorer = chars.GramScorer(weights.grams, weights.gram_idf)
            oof[test] += scorer.scores([x.words[i] for i in test])
        present = (xt > 0).astype(np.float32)
        known[test] = (present @ weights.known.astype(np.float32)) / np.maximum(
            present.getnnz(axis=1), 1
        )
        if peer_words is not None and peer_chars is not None:
            peer_p[test] = plain.fold_probabilities(peer_words, peer_chars, y, train, test)
        scored += test.tolist()
    scored.sort()
    # Calibrated on the mail the model reads: what the screen decides never reaches it, and
    # thousands of easy ordinary messages would make its doubts about job mail look sharper.
    screened = {
        i: has_no_job_words(examples[i].email, sender_info(examples[i].email)) for i in scored
    }
    read = [i for i in scored if not screened[i]]
    emails = [ex.email for ex in examples]
    evidence = has_evidence(emails, x.x.indices, x.x.data, x.x.indptr)
    temperature = fit_temperature(oof[read], y[read])
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
    for i in scored:
        ex = examples[i]
        # The same path as `Classifier.classify`: the screen first, then the model.
        if screened[i]:
            kind, review = "not_job", False
        else:
            kind, _conf, review, _ = clf.decide(
                oof[i],
                float(known[i]),
                int(evidence[i]),
                partial(_elsewhere, ex.email),
                partial(_pending, ex.email),
            )
        xt = extract(ex.email)
        pred = Prediction(
            ex, kind, review, keyword_kind(ex.email), xt.company, xt.role, screened[i]
        )
        if peer:
            p = peer_p[i]
            best = KINDS[int(p.argmax())]
            pred.peer = Outcome(ex.kind, best, float(p.max()) < DEFAULT_THRESHOLDS[best])
        preds.append(pred)
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
    """The protocol's table (model, plain peer when it ran, keyword lists), then the
    model's own details: the screen, review, extraction and its confusion matrix."""
    gold = [p.ex.kind for p in preds]
    lines = [
        f"== {title}: {len(preds)} messages, each predicted by a model that never saw "
        f"its person or its employer ==",
        "P precision, R recall, decid = share of the kind decided rightly without review",
    ]
    columns = {"model": summarise([p.outcome for p in preds])}
    if all(p.peer is not None for p in preds):
        columns["plain peer (TF-IDF+LR)"] = summarise([p.peer for p in preds if p.peer])
    # Keyword lists have no confidence: each verdict counts as decided.
    columns["keyword lists"] = summarise([Outcome(p.ex.kind, p.baseline, False) for p in preds])
    lines += table(columns)
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
    comp = [p for p in preds if p.ex.company and p.ex.kind != "not_job"]
    role = [p for p in preds if p.ex.role]
    c_ok = sum(norm_company(p.company) == norm_company(p.ex.company) for p in comp)
    r_ok = sum(p.role.strip().lower() == p.ex.role.strip().lower() for p in role)
    lines.append(
        f"company exact match {c_ok}/{len(comp)} = {c_ok / max(len(comp), 1):.3f} "
        f"(job mail that states it); role exact match {r_ok}/{len(role)} = "
        f"{r_ok / max(len(role), 1):.3f}"
    )
    lines.append("confusion matrix (rows gold, columns model):")
    short = [k[:6] for k in KINDS]
    lines.append(" " * 22 + " ".join(f"{s:>6}" for s in short))
    model = [p.kind for p in preds]
    for g in KINDS:
        row = [sum(1 for a, b in zip(gold, model, strict=True) if a == g and b == p) for p in KINDS]
        lines.append(f"{g:22}" + " ".join(f"{n:6d}" for n in row))
    return lines


def evaluate(corpus: Path, peer: bool = True) -> list[str]:
    examples = training_set(corpus)
    preds, temperature = cross_validate(examples, peer=peer)
    lines = report([p for p in preds if p.ex.real], "real mail, leave one person out")
    counts = Counter(ex.kind for ex in examples if ex.real)
    lines.append("")
    lines.append(
        "real messages per kind in the corpus: "
        + ", ".join(f"{k} {counts.get(k, 0)}" for k in KINDS)
    )
    lines.append(f"calibration temperature from the held-out predictions: {temperature:.2f}")
    return lines


def train(corpus: Path, out_dir: Path | None = None) -> tuple[Weights, list[str]]:
    examples = training_set(corpus)
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
        "gram_scale": GRAM_SCALE,
        "written_per_kind": WRITTEN_PER_KIND,
        "handwritten": sum(ex.source == HANDWRITTEN_SOURCE for ex in examples),
        "handwritten_kind_weight": HANDWRITTEN_KIND_WEIGHT,
        "caveated_confirmations": caveated_count(),
    }
    if out_dir is None:
        weights.save(info=info)
    else:
        weights.save(out_dir / "model.npz", out_dir / "model.json", info=info)
    return weights, report([p for p in preds if p.ex.real], "real mail")
