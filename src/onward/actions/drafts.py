"""Outgoing mail moved to `onward.mail.outbox`; `DraftError` is still importable from here
for the modules that import it from here (`onward.cli.followup`)."""

from onward.mail.outbox import DraftError

__all__ = ["DraftError"]
