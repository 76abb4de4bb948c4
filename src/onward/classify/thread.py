"""What a message's thread says about its verdict (pure: verdict and thread facts in, verdict out).

The classifier reads one message alone. A short reply written by a person ("Could you do
Thursday at 3?") can carry no word the model knows, yet when it answers an application
confirmation it is the interview. So mail in a thread that holds job mail is never
confidently `not_job`: it waits for the person, shown as the interview it may be when the
interview has weight of its own (the rule `Classifier.decide` applies to job talk)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from onward.classify import INTERVIEW_IN_DOUBT, JOB_KINDS
from onward.classify.extract import extract
from onward.classify.model import Verdict
from onward.mail.model import Email

IN_JOB_THREAD = "in a thread with job mail: a person confirms"


def with_thread(verdict: Verdict, thread_kinds: Collection[str]) -> Verdict:
    """The verdict adjusted for the kinds of the messages its thread holds (that it answers)."""
    if verdict.kind != "not_job" or JOB_KINDS.isdisjoint(thread_kinds):
        return verdict
    interview = verdict.probabilities.get("interview", 0.0)
    if may_become_an_interview(verdict):
        return replace(
            verdict,
            kind="interview",
            confidence=interview,
            needs_review=True,
            reasons=(*verdict.reasons, IN_JOB_THREAD, f"might be an interview ({interview:.0%})"),
        )
    if verdict.needs_review:
        return verdict
    return replace(verdict, needs_review=True, reasons=(*verdict.reasons, IN_JOB_THREAD))


def may_become_an_interview(verdict: Verdict) -> bool:
    """Whether a `not_job` verdict is shown as an interview once its thread holds job mail."""
    return verdict.probabilities.get("interview", 0.0) >= INTERVIEW_IN_DOUBT


def in_job_thread(email: Email, verdict: Verdict, thread_kinds: Collection[str]) -> Verdict:
    """`with_thread` for a message at hand: what it becomes is read for its employer too."""
    new = with_thread(verdict, thread_kinds)
    if new.kind == verdict.kind:
        return new
    x = extract(email)
    return replace(new, company=x.company, role=x.role, ats=x.ats)
