"""The errors a person may see: each carries one plain sentence, never a traceback.

Every such error derives from `OnwardError`, so the CLI and the web app each need one handler.
This module is a leaf: it imports nothing from onward, so any layer may derive from it.
"""

from __future__ import annotations


class OnwardError(Exception):
    """Something a person asked for could not be done; `str()` is the sentence to show."""

    # The HTTP status the dashboard answers with: the request was understood but cannot be done.
    status: int = 400


class NotFound(OnwardError):
    """What was asked for (an application, an email, a batch) is not there."""

    status = 404


class BadInput(OnwardError):
    """A value, file or setting the person gave cannot be used as it is."""


class MailError(OnwardError):
    """A mailbox (a server or a local file) could not be read, written or sent through."""


class DatabaseError(OnwardError):
    """The database could not be opened, read or written."""
