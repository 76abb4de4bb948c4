"""Hand-written job mail the classifier's authors did not write (tests/data/written-blind*):
the mail the corpus lacks must not be lost, and nothing precious may be filed as a rejection.

Some of it is trained on (`train.HANDWRITTEN`); the rest was never seen by the model, and the
figures on it are the honest ones (docs/evaluation.md, seventh to ninth sessions)."""

from pathlib import Path

import pytest

from onward.classify import PRECIOUS
from onward.classify.train import HANDWRITTEN
from tests.labelled import rows_of, verdicts_of

DATA = Path(__file__).parent / "data"
SETS = sorted(p.name for p in DATA.glob("written-blind*") if p.is_dir())
TRAINED = [(name, half) for name, half in HANDWRITTEN.items()]
UNSEEN = [
    (name, "odd" if HANDWRITTEN.get(name) == "even" else None)
    for name in SETS
    if name not in HANDWRITTEN or HANDWRITTEN[name] == "even"
]


def _ids(params: list[tuple[str, str | None]]) -> list[str]:
    return [f"{name}-{half}" if half else name for name, half in params]


@pytest.fixture(scope="module", params=TRAINED + UNSEEN, ids=_ids(TRAINED + UNSEEN))
def verdicts(request) -> list[tuple[str, tuple[str, str, bool]]]:
    folder, half = DATA / request.param[0], request.param[1]
    paths = [f"{folder.name}/{r['path']}" for r in rows_of(folder, half)]
    return list(zip(paths, verdicts_of(folder, half), strict=True))


@pytest.fixture(scope="module", params=TRAINED, ids=_ids(TRAINED))
def trained(request) -> list[tuple[str, str, bool]]:
    return verdicts_of(DATA / request.param[0], request.param[1])


@pytest.fixture(scope="module", params=UNSEEN, ids=_ids(UNSEEN))
def unseen(request) -> list[tuple[str, str, bool]]:
    return verdicts_of(DATA / request.param[0], request.param[1])


def test_every_set_is_either_trained_on_or_kept_unseen() -> None:
    assert set(HANDWRITTEN) <= set(SETS) and len(UNSEEN) >= 4


# Known misses, left unread so that they keep measuring (no rule was written from them).
KNOWN_MISSES = {
    # A state portal's confirmation warning that the person may not be notified: decided as a
    # rejection at 0.97 by this model, and at 0.92 by the one before it (ninth session).
    "written-blind-13/msg_100.eml",
}


def test_no_interview_offer_test_or_confirmation_is_decided_as_a_rejection(verdicts):
    misses = {
        path
        for path, (g, k, review) in verdicts
        if g in PRECIOUS | {"application_received"} and k == "rejection" and not review
    }
    assert misses <= KNOWN_MISSES, misses - KNOWN_MISSES


def _job(verdicts):
    return [(g, k, review) for g, k, review in verdicts if g != "not_job"]


def test_hand_written_job_mail_is_rarely_hidden_as_ordinary_mail(trained):
    hidden = [g for g, k, review in _job(trained) if k == "not_job" and not review]
    assert len(hidden) <= 0.10 * len(_job(trained)), hidden


def test_most_hand_written_job_mail_is_decided_rightly_without_review(trained):
    job = _job(trained)
    assert sum(g == k and not review for g, k, review in job) >= 0.6 * len(job)
    rejections = [(k, review) for g, k, review in job if g == "rejection"]
    assert sum(k == "rejection" and not review for k, review in rejections) >= 0.5 * len(rejections)


# Mail the model never saw: the odd halves of a Toronto engineer's and a Melbourne hospitality
# manager's mailboxes, then four written after the model they measure (ninth session): a Milan
# engineer mostly in Italian, a Chicago warehouse supervisor, a Stockholm lab technician in
# Swedish and English, a Melbourne policy officer (READMEs in tests/data). Over all of it
# together, bars set under what the shipped model measured (docs/evaluation.md, ninth session:
# 29 of 439 job messages hidden, 80 of 124 rejections found), so that a step that loses a
# stranger's mail fails here. Per set, job mail hidden stays under a fifth even in a language the
# model was never taught (Swedish: 10 of 88).
@pytest.fixture(scope="module")
def all_unseen() -> list[tuple[str, str, bool]]:
    return [v for name, half in UNSEEN for v in verdicts_of(DATA / name, half)]


def test_unseen_hand_written_job_mail_is_mostly_not_hidden(all_unseen, unseen):
    hidden = [g for g, k, review in _job(unseen) if k == "not_job" and not review]
    assert len(hidden) <= 0.20 * len(_job(unseen)), hidden
    everywhere = [g for g, k, review in _job(all_unseen) if k == "not_job" and not review]
    assert len(everywhere) <= 0.10 * len(_job(all_unseen))


def test_unseen_hand_written_rejections_are_mostly_found(all_unseen):
    rejections = [k for g, k, _ in _job(all_unseen) if g == "rejection"]
    assert sum(k == "rejection" for k in rejections) >= 0.55 * len(rejections)
