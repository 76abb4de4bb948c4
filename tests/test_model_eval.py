"""The classifier judged on the corpus the way `onward model eval` does: held-out people."""

from __future__ import annotations

from pathlib import Path

from onward.classify import PRECIOUS
from onward.classify.train import cross_validate, load_corpus, scores


def test_held_out_people_safety_and_beating_keywords(corpus: Path) -> None:
    preds, temperature = cross_validate(load_corpus(corpus))
    real = [p for p in preds if p.ex.real]
    gold = [p.ex.kind for p in real]
    model = [p.kind for p in real]
    base = [p.baseline for p in real]
    critical = sum(
        1 for g, k in zip(gold, model, strict=True) if g in PRECIOUS and k == "rejection"
    )
    assert critical == 0
    not_job = [k for g, k in zip(gold, model, strict=True) if g == "not_job"]
    assert sum(k != "not_job" for k in not_job) / len(not_job) <= 0.005
    ms, bs = scores(gold, model), scores(gold, base)
    assert ms["rejection"][0] > bs["rejection"][0]  # precision: the kind onward acts on
    assert ms["application_received"][2] > bs["application_received"][2]
    # The targets (fixed seeds: the same figures on every run with the same libraries).
    assert ms["rejection"][0] >= 0.98 and ms["rejection"][1] >= 0.95
    assert ms["application_received"][2] >= 0.95
    # The screen that skips the model never skipped job mail.
    assert not [p.ex.path for p in real if p.screened and p.ex.kind != "not_job"]
    assert 0.5 <= temperature <= 4.0
