"""Hand-written job mail the classifier's authors did not write (tests/data/written-blind and
written-blind-2): the mail the corpus lacks must not be lost, and nothing precious may be filed
as a rejection."""

from pathlib import Path

import pytest

from onward.classify import PRECIOUS
from tests.labelled import verdicts_of

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module", params=["written-blind", "written-blind-2"])
def verdicts(request) -> list[tuple[str, str, bool]]:
    return verdicts_of(DATA / request.param)


def test_no_interview_offer_test_or_confirmation_is_decided_as_a_rejection(verdicts):
    assert not [
        g
        for g, k, review in verdicts
        if g in PRECIOUS | {"application_received"} and k == "rejection" and not review
    ]


def test_hand_written_job_mail_is_rarely_hidden_as_ordinary_mail(verdicts):
    job = [(g, k, review) for g, k, review in verdicts if g != "not_job"]
    hidden = [g for g, k, review in job if k == "not_job" and not review]
    assert len(hidden) <= 0.10 * len(job), hidden


def test_most_hand_written_job_mail_is_decided_rightly_without_review(verdicts):
    job = [(g, k, review) for g, k, review in verdicts if g != "not_job"]
    right = sum(g == k and not review for g, k, review in job)
    assert right >= 0.6 * len(job)
    rejections = [(k, review) for g, k, review in job if g == "rejection"]
    assert sum(k == "rejection" and not review for k, review in rejections) >= 0.5 * len(rejections)
