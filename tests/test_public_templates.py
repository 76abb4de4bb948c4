"""Public job-mail templates of five organisations (tests/data/public-templates), never trained
on: whatever the model misses there, it must not file an invitation, an offer, a test or a
confirmation away as a rejection."""

from pathlib import Path

import pytest

from onward.classify import PRECIOUS
from tests.labelled import verdicts_of

HERE = Path(__file__).parent / "data" / "public-templates"


@pytest.fixture(scope="module")
def verdicts() -> list[tuple[str, str, bool]]:
    return verdicts_of(HERE)


def test_every_labelled_template_is_there(verdicts):
    assert len(verdicts) == 59
    assert {g for g, _, _ in verdicts} >= PRECIOUS | {"rejection", "application_received"}


def test_no_interview_offer_test_or_confirmation_is_decided_as_a_rejection(verdicts):
    assert not [
        g
        for g, k, review in verdicts
        if g in PRECIOUS | {"application_received"} and k == "rejection" and not review
    ]


def test_no_invitation_to_interview_is_hidden_as_ordinary_mail(verdicts):
    assert not [
        g for g, k, review in verdicts if g == "interview" and k == "not_job" and not review
    ]
