"""What a mover does: put messages into another folder so that a crash never loses one.

The caller journals each `Move` before `move()` is called and records each `Outcome` after.
A run that finds journal entries still pending hands them to `reconcile()`, which looks at
both folders and says what really happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from onward.errors import MailError


class MoveError(MailError):
    """Moving stopped (a dropped connection, a full disk); pending moves are reconciled later."""


@dataclass(slots=True)
class Move:
    message_id: str
    from_folder: str
    from_key: str
    to_folder: str
    from_uidvalidity: int = 0
    to_key: str = ""
    to_uidvalidity: int = 0
    email_id: int | None = None
    id: int = 0  # the journal row, once written
    # The stored header fingerprint: what proves a message found by Message-ID is this one.
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    id: int
    state: str  # done | aborted (never happened) | gone (vanished meanwhile) | conflict
    to_key: str = ""
    to_uidvalidity: int = 0
    note: str = ""


@dataclass(slots=True)
class Located:
    found: list[Move] = field(default_factory=list)
    missing: list[tuple[Move, str]] = field(default_factory=list)  # with the reason


class Mover(Protocol):
    name: str
    commands: Counter[str]
    relocates: bool  # False for exports: the message stays where it was scanned

    def folder_name(self, folder: str) -> str:
        """The name of a folder given with "/" as separator, as this store spells it."""
        ...

    def prepare(self, folders: list[str]) -> dict[str, Any]:
        """Create the folders when missing; return marks that let `reconcile` tell our copies."""
        ...

    def locate(self, moves: list[Move]) -> Located:
        """Check each message is where the database says, by Message-ID; fix keys that moved.

        Reads only (a dry run calls it too): a plan must not change the mail it describes.
        """
        ...

    def move(self, moves: list[Move]) -> list[Outcome]: ...

    def reconcile(self, moves: list[Move], marks: dict[str, Any]) -> list[Outcome]: ...

    def close(self) -> None: ...


def norm_mid(value: str) -> str:
    return "".join(value.split())
