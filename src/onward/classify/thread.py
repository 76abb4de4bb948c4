"""What a message's thread says about its verdict (pure: verdict and thread facts in, verdict out).

The classifier reads one message alone. A short reply written by a person ("Could you do
Thursday at 3?") can carry no word the model knows, yet when it answers an application
confirmation it is the interview. So mail in a thread that holds job mail is never
confidently `not_job`: it waits for the person."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from onward.classify import JOB_KINDS
from onward.classify.model import Verdict

IN_JOB_THREAD = "in a thread with job mail: a person confirms"


def with_thread(verdict: Verdict, thread_kinds: Collection[str]) -> Verdict:
    """The verdict adjusted for the kinds of the other stored messages of its thread."""
    if verdict.kind != "not_job" or verdict.needs_review:
        return verdict
    if JOB_KINDS.isdisjoint(thread_kinds):
        return verdict
    return replace(verdict, needs_review=True, reasons=(*verdict.reasons, IN_JOB_THREAD))
