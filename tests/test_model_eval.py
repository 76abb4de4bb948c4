"""The classifier judged by the frozen protocol (docs/evaluation.md): each person held out in
turn, their employers dropped from training, counted on real mail."""

from __future__ import annotations

from pathlib import Path

from onward.classify.evaluation import summarise
from onward.classify.extract import norm_company
from onward.classify.train import cross_validate, load_corpus, scores, training_set


def test_held_out_people_meet_the_issue_targets(corpus: Path) -> None:
    preds, temperature = cross_validate(training_set(corpus))
    real = [p for p in preds if p.ex.real]
    s = summarise([p.outcome for p in real])
    rejection = s.kinds["rejection"]
    # Issue 13's targets that the proxy can measure (fixed seeds: same figures every run).
    assert rejection.precision >= 0.99 and rejection.recall >= 0.95
    assert rejection.decided >= 0.90
    assert s.critical == 0  # no interview, offer, assessment or confirmation decided a rejection
    assert s.job_to_review <= 0.15
    assert s.ordinary_as_job / s.ordinary <= 0.002
    assert s.interview_as_not_job == 0  # no interview confidently filed as ordinary mail
    job = [p for p in real if p.ex.company and p.ex.kind != "not_job"]
    same = sum(norm_company(p.company) == norm_company(p.ex.company) for p in job)
    assert same / len(job) >= 0.85
    # Better than the trackers' keyword lists on the kinds onward acts on.
    gold = [p.ex.kind for p in real]
    ms = scores(gold, [p.kind for p in real])
    bs = scores(gold, [p.baseline for p in real])
    assert ms["rejection"][0] > bs["rejection"][0]
    assert ms["application_received"][2] > bs["application_received"][2]
    # The screen that skips the model never skipped job mail.
    assert not [p.ex.path for p in real if p.screened and p.ex.kind != "not_job"]
    assert 0.5 <= temperature <= 4.0


def test_no_person_is_scored_by_a_model_that_saw_them_or_their_employers(corpus: Path) -> None:
    from onward.classify.evaluation import splits
    from onward.classify.train import held

    examples = load_corpus(corpus)
    marks = [held(ex) for ex in examples]
    seen = 0
    for group, train, test in splits(marks):
        people = {marks[i].source for i in test}
        assert not people & {marks[i].source for i in train} or group.startswith("spamassassin")
        employers = {marks[i].company for i in test} - {""}
        assert not employers & {marks[i].company for i in train}
        seen += len(test)
    assert seen == sum(1 for m in marks if m.source != "clarkpfohl-synthetic")
