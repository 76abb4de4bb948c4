"""The classifier's errors, importable without loading the model's numpy."""

from onward.errors import BadInput, OnwardError


class ModelError(OnwardError):
    """The model file is missing or unreadable."""


class LabelError(BadInput):
    """A correction that cannot be recorded."""
