"""Mail sources: each yields raw messages and checkpoints behind one small protocol.

A new source is one new module here plus a line in `open_path_source` (exports) or
`accounts.account_source` (servers).
"""

from __future__ import annotations

from pathlib import Path

from onward.mail.sources.base import (
    Checkpoint,
    Expect,
    FolderReset,
    LoginRefused,
    MailSource,
    MissingFolder,
    ScanItem,
    SourceError,
    is_regular,
)

__all__ = [
    "Checkpoint",
    "Expect",
    "FolderReset",
    "LoginRefused",
    "MailSource",
    "MissingFolder",
    "ScanItem",
    "SourceError",
    "detect_path_kind",
    "open_path_source",
]


def detect_path_kind(path: Path) -> str:
    """Tell an mbox, a Maildir, an .eml file and a folder of .eml files apart."""
    if not path.exists():
        raise SourceError(f"{path} does not exist.")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        return "eml"
    if not is_regular(path):
        raise SourceError(f"{path} is not a regular file or a folder, so onward does not read it.")
    if path.suffix.lower() == ".eml":
        return "eml"
    with open(path, "rb") as f:
        start = f.read(5)
    if start == b"From " or path.suffix.lower() in (".mbox", ".mbx") or start == b"":
        return "mbox"
    return "eml"


def open_path_source(path: Path, name: str | None = None) -> MailSource:
    path = path.expanduser().resolve()
    kind = detect_path_kind(path)
    label = name or str(path)
    if kind == "maildir":
        from onward.mail.sources.maildir import MaildirSource

        return MaildirSource(label, path)
    if kind == "mbox":
        from onward.mail.sources.mbox import MboxSource

        return MboxSource(label, path)
    from onward.mail.sources.eml import EmlSource

    return EmlSource(label, path)
