"""Movers put messages into another folder of the store they came from.

One module per kind of store; `mover_for` picks it for a mail source.
"""

from __future__ import annotations

from pathlib import Path

from onward.mail.movers.base import Located, Move, MoveError, Mover, Outcome
from onward.mail.sources.base import MailSource

__all__ = ["Located", "Move", "MoveError", "Mover", "Outcome", "mover_for"]


def mover_for(source: MailSource, copy_to: Path | None = None) -> Mover:
    if source.kind == "imap":
        from onward.mail.movers.imap import ImapMover
        from onward.mail.sources.imap import ImapSource

        assert isinstance(source, ImapSource)
        return ImapMover(source)
    if source.kind == "maildir":
        from onward.mail.movers.maildir import MaildirMover
        from onward.mail.sources.maildir import MaildirSource

        assert isinstance(source, MaildirSource)
        return MaildirMover(source)
    from onward.mail.movers.export import ExportMover

    root = getattr(source, "path", None) or getattr(source, "root")  # noqa: B009
    return ExportMover(source.name, source.kind, Path(root), copy_to)
