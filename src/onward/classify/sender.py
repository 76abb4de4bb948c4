"""What the sender tells: an ATS, a job board, a robot, or a person (no numpy: cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from onward.classify import knowledge as kb
from onward.mail.model import Email

# The corpus marks a missing sender with this address: it is no sender at all.
PLACEHOLDER_SENDERS = ("unknown@corpus.onward.invalid",)


@dataclass(frozen=True, slots=True)
class SenderInfo:
    address: str
    domain: str
    name: str
    ats: str | None
    board: str | None
    robot: bool
    placeholder: bool


def sender_info(email: Email) -> SenderInfo:
    sender = email.sender
    return _sender(sender.email, sender.name) if sender else _sender("", "")


@lru_cache(maxsize=4096)  # an inbox has a few hundred senders, each writing many times
def _sender(addr: str, name: str) -> SenderInfo:
    placeholder = not addr or addr in PLACEHOLDER_SENDERS
    domain = "" if placeholder else kb.domain_of(addr)
    return SenderInfo(
        address="" if placeholder else addr,
        domain=domain,
        name="" if placeholder else name,
        ats=kb.ats_for(domain) if domain else None,
        board=kb.board_for(domain) if domain else None,
        robot=bool(addr) and not placeholder and kb.is_robot(addr),
        placeholder=placeholder,
    )
