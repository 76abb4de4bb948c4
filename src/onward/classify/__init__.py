"""Recognising job mail: kinds, features, the shipped linear model, extraction, explanations.

Everything here is pure (data in, data out) except `train`, which reads the corpus and
needs scikit-learn; prediction needs numpy alone.
"""

KINDS = (
    "application_received",
    "rejection",
    "interview",
    "assessment",
    "offer",
    "recruiter_outreach",
    "job_alert",
    "other_job",
    "not_job",
)
JOB_KINDS = frozenset(KINDS) - {"not_job"}
# Hiding one of these behind a "rejection" is the mistake that costs an interview.
PRECIOUS = frozenset({"interview", "offer", "assessment"})
# Job talk held for review as `not_job` (it speaks of a decision or a meeting, or answers job
# mail) is shown as a possible interview when the interview has this much of its own: an
# invitation from a person deep in a thread is the miss that costs most, and in review a wrong
# guess costs a glance. Never decided this way. (`model.Classifier.decide`, `thread`.)
INTERVIEW_IN_DOUBT = 0.10
