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
