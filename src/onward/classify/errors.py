"""The classifier's errors, importable without loading the model's numpy."""


class ModelError(Exception):
    """The model file is missing or unreadable."""


class LabelError(Exception):
    """A correction that cannot be recorded."""
