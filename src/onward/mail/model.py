"""The immutable records that flow from the mail sources through the pure core."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickle a slotted dataclass as its constructor's arguments: a scan's parsing processes
    send every parsed message back this way, at half the cost of the default (a state dict
    built and read for each record)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if len(names) < 2 or any(not f.init or f.kw_only for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: for two or more fields, all positional in __init__")
    values = attrgetter(*names)

    def __reduce__(self: T) -> tuple[Any, tuple[Any, ...]]:
        if type(self) is not cls:  # a subclass's own fields are unknown here
            raise TypeError(f"{type(self).__name__} is not pickled by {cls.__name__}'s fields")
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


@dataclass(frozen=True, slots=True)
class Locator:
    """Where one message lives, precisely enough to fetch or move it again.

    IMAP messages are named by (folder, uidvalidity, uid); UIDs alone are never
    trusted because a server may renumber a folder. Files are named by their
    container and a key: the Maildir key, the mbox byte offset, or the .eml path.
    """

    source: str  # account name, or the absolute path scanned
    folder: str  # IMAP folder, Maildir folder ("" = INBOX), or "" for files
    key: str  # uid, maildir key, mbox offset, or .eml relative path
    uidvalidity: int = 0

    def display(self) -> str:
        parts = [self.source]
        if self.folder:
            parts.append(self.folder)
        parts.append(self.key)
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class RawMessage:
    """Bytes from a source: the whole header block and a bounded prefix of the body.

    File sources may leave `data` empty and give `path`: the parse stage, running in a
    worker process, then reads the prefix itself and the parent never touches the bytes.
    A message inside a file of many (an mbox) also gives its `span` there: the file's inode
    when it was listed, the offset of its From_ line, and where its own bytes start and end.
    """

    locator: Locator
    data: bytes
    size: int  # full size of the message on the source, in bytes (0 = not known yet)
    labels: tuple[str, ...] = ()
    path: str = ""
    span: tuple[int, int, int, int] | tuple[()] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Address:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Email:
    """One parsed message. Built by `parse.parse_message`, never by hand in the I/O layers."""

    message_id: str
    fingerprint: str  # stable hash of the header block: identity across folders and rescans
    subject: str = ""
    sender: Address | None = None
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    date: datetime | None = None
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    list_id: str = ""
    list_unsubscribe: str = ""
    auto_submitted: str = ""
    labels: tuple[str, ...] = ()
    text: str = ""
    has_html: bool = False
    attachments: int = 0
    defects: tuple[str, ...] = field(default_factory=tuple)
