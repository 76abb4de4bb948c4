"""The frozen evaluation protocol (docs/evaluation.md): who is held out, and what is counted.

A message is only ever predicted by a model that saw nothing of its person and no message
naming its employer. The figures are counted on real mail only: synthetic templates teach
vocabulary but say nothing about how a stranger's inbox reads. Pure: predictions in, table out.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from onward.classify import JOB_KINDS, KINDS, PRECIOUS

# Whose inbox each source is. A person's whole mail is one group, their generated look-alikes
# (wtj-fr-synthetic was written by a language model from that person's mail) with it.
PERSON = {
    "clarkpfohl": "clark",
    "sethpoly": "seth",
    "linkedin-fr": "julien",
    "wtj-fr": "julien",
    "wtj-fr-synthetic": "julien",
    "enron": "enron",
}
# Template-generated mail (and `written.py`'s, and the hand-written sets') is nobody's inbox:
# it is always trained on (minus the held-out person's employers) and never scored.
TRAIN_ONLY = frozenset({"clarkpfohl-synthetic", "onward-written", "onward-handwritten"})
# SpamAssassin's public corpus is many people's mail: held out in two halves by sender domain.
ARCHIVE_PARTS = 2


@dataclass(frozen=True)
class Held:
    """What the protocol needs of a labelled message."""

    source: str
    sender_domain: str
    company: str  # normalised employer, "" when none
    real: bool


def group_of(m: Held) -> str:
    if m.source in PERSON:
        return PERSON[m.source]
    if m.source in TRAIN_ONLY:
        return "train-only"
    part = zlib.crc32(m.sender_domain.lower().encode()) % ARCHIVE_PARTS
    return f"{m.source}-{part}"


def splits(held: Sequence[Held]) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(group, training rows, held-out rows) for every group that is scored."""
    groups = np.array([group_of(m) for m in held])
    for g in sorted(set(groups.tolist()) - {"train-only"}):
        test = np.flatnonzero(groups == g)
        employers = {held[int(i)].company for i in test} - {""}
        train = np.array(
            [i for i in np.flatnonzero(groups != g) if held[int(i)].company not in employers],
            dtype=np.int64,
        )
        yield g, train, test


@dataclass(frozen=True)
class Outcome:
    gold: str
    kind: str
    needs_review: bool

    @property
    def decided(self) -> bool:
        return not self.needs_review


@dataclass(frozen=True)
class KindScore:
    n: int
    precision: float
    recall: float
    decided: float  # share of this kind's messages decided without review, and rightly


@dataclass(frozen=True)
class Summary:
    kinds: dict[str, KindScore]
    accuracy: float
    decided_share: float  # of all messages, decided without review
    decided_accuracy: float
    job_to_review: float  # share of job mail that waits for the person
    critical: int  # interview/offer/assessment/confirmation confidently called a rejection
    ordinary_as_job: int  # not_job confidently called job mail
    ordinary: int
    interview_as_not_job: int  # interviews confidently called not_job


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def summarise(out: Sequence[Outcome]) -> Summary:
    kinds = {}
    for k in KINDS:
        n = sum(o.gold == k for o in out)
        tp = sum(o.gold == k and o.kind == k for o in out)
        said = sum(o.kind == k for o in out)
        right = sum(o.gold == k and o.kind == k and o.decided for o in out)
        kinds[k] = KindScore(n, _ratio(tp, said), _ratio(tp, n), _ratio(right, n))
    decided = [o for o in out if o.decided]
    job = [o for o in out if o.gold in JOB_KINDS]
    guarded = PRECIOUS | {"application_received"}
    return Summary(
        kinds,
        _ratio(sum(o.gold == o.kind for o in out), len(out)),
        _ratio(len(decided), len(out)),
        _ratio(sum(o.gold == o.kind for o in decided), len(decided)),
        _ratio(sum(o.needs_review for o in job), len(job)),
        sum(o.gold in guarded and o.kind == "rejection" and o.decided for o in out),
        sum(o.gold == "not_job" and o.kind != "not_job" and o.decided for o in out),
        sum(o.gold == "not_job" for o in out),
        sum(o.gold == "interview" and o.kind == "not_job" and o.decided for o in out),
    )


def table(columns: dict[str, Summary]) -> list[str]:
    """Side by side: each column one model's figures on the same held-out messages."""
    names = list(columns)
    first = columns[names[0]]
    head = f"{'kind':21} {'n':>5} | " + " | ".join(f"{n[:22]:^22}" for n in names)
    sub = f"{'':21} {'':>5} | " + " | ".join(f"{'P':>6} {'R':>6} {'decid':>7}" for _ in names)
    lines = [head, sub]
    for k in KINDS:
        cells = [
            f"{s.kinds[k].precision:6.3f} {s.kinds[k].recall:6.3f} {s.kinds[k].decided:7.3f}"
            for s in columns.values()
        ]
        lines.append(f"{k:21} {first.kinds[k].n:5d} | " + " | ".join(cells))
    rows: list[tuple[str, Callable[[Summary], str]]] = [
        ("accuracy over 9 kinds", lambda s: f"{s.accuracy:.3f}"),
        ("decided (no review)", lambda s: f"{s.decided_share:.3f}"),
        ("accuracy when decided", lambda s: f"{s.decided_accuracy:.3f}"),
        ("job mail to review", lambda s: f"{s.job_to_review:.3f}"),
        ("confident false rejection", lambda s: str(s.critical)),
        ("ordinary called job", lambda s: f"{s.ordinary_as_job}/{s.ordinary}"),
        ("interview called not_job", lambda s: str(s.interview_as_not_job)),
    ]
    for label, cell in rows:
        lines.append(f"{label:27} | " + " | ".join(f"{cell(s):>22}" for s in columns.values()))
    return lines
