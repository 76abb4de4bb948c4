"""Compose the thank-you reply to a rejection: pure, from the stored email to the draft's bytes.

Every value taken from the email is only text: CR and LF are flattened before anything
becomes a header, and the person's template renders in Jinja2's sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from onward.classify import knowledge as kb

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_MSGID = re.compile(r"<[^<>\s]+>")
_CTRL = re.compile(r"[\x00-\x1f\x7f]+")


def text(value: object) -> str:
    """A value from an email, safe to put in a header: no CR, LF or other control characters."""
    return _CTRL.sub(" ", str(value or "")).strip()


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""
    found_in: str = ""  # reply-to | sender | text


@dataclass
class Choice:
    to: Recipient | None
    note: str = ""
    alternatives: list[Recipient] = field(default_factory=list)


def is_automated(address: str) -> bool:
    """No-reply robots and ATS or job-board mailers: a reply there reaches nobody."""
    domain = kb.domain_of(address)
    return kb.is_robot(address) or bool(kb.ats_for(domain) or kb.board_for(domain))


def is_role(address: str) -> bool:
    local = address.partition("@")[0].lower()
    return any(local == r or local.startswith(r + ".") for r in kb.ROLE_LOCALPARTS)


def choose_recipient(row: dict[str, Any], mine: set[str]) -> Choice:
    """A human who can answer: Reply-To, then the sender, then an address in the text."""
    headed = [
        Recipient(text(a).lower(), text(n), "reply-to")
        for n, a in getaddresses([row.get("reply_to") or ""])
    ]
    headed.append(
        Recipient(text(row.get("from_addr")).lower(), text(row.get("from_name")), "sender")
    )
    in_text = [
        Recipient(a.lower().rstrip("."), "", "text")
        for a in dict.fromkeys(_EMAIL.findall(row.get("body") or ""))
    ]
    ranked: list[Recipient] = []
    seen: set[str] = set()
    # A person before a careers@ address, and what the headers say before the text.
    for r in sorted(headed, key=lambda r: is_role(r.address)) + sorted(
        in_text, key=lambda r: is_role(r.address)
    ):
        if r.address and r.address not in mine | seen and not is_automated(r.address):
            seen.add(r.address)
            ranked.append(r)
    robots = [r.address for r in headed if r.address and is_automated(r.address)]
    if ranked and ranked[0].found_in != "text":
        return Choice(ranked[0], alternatives=ranked[1:])
    said = (
        f"The rejection came from {robots[0]}, which nobody reads"
        if robots
        else "The rejection names no sender"
    )
    if ranked:
        kind = "a careers address" if is_role(ranked[0].address) else "an address"
        return Choice(ranked[0], f"{said}; the draft goes to {kind} found in its text.", ranked[1:])
    return Choice(
        None,
        f"{said}, and its text gives no other address: the draft's To is empty; add the "
        "recruiter's address before you send it.",
    )


DEFAULT_TEMPLATE = "followup.txt.j2"


def default_template() -> str:
    return resources.files("onward.actions").joinpath(DEFAULT_TEMPLATE).read_text("utf-8")


def render(template: str, values: dict[str, str]) -> str:
    env = SandboxedEnvironment(
        autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(template).render(**values)


def subject_of(original: str) -> str:
    subject = text(original)
    return subject if re.match(r"(?i)re\s*:", subject) else f"Re: {subject}".strip()


def compose(
    row: dict[str, Any],
    choice: Choice,
    me: tuple[str, str],
    template: str,
    now: datetime,
) -> EmailMessage:
    """The reply to `row` (a stored email) from `me` (name, address), threaded under it."""
    my_name, my_addr = text(me[0]), text(me[1])
    to = choice.to
    first = to.name.split()[0] if to and to.name and not is_role(to.address) else ""
    body = render(
        template,
        {
            "first_name": text(first),
            "recruiter": text(to.name if to else ""),
            "company": text(row.get("company")) or "your team",
            "role": text(row.get("role")),
            "my_name": my_name or my_addr,
            "subject": text(row.get("subject")),
        },
    )
    if choice.note and (choice.to is None or choice.to.found_in == "text"):
        body = f"[onward: {choice.note} Delete this line before sending.]\n\n{body}"
    msg = EmailMessage(policy=SMTP)
    msg["From"] = _address(my_name, my_addr)
    if to:
        msg["To"] = _address(to.name, to.address)
    msg["Subject"] = subject_of(row.get("subject") or "")
    msg["Date"] = format_datetime(now)
    domain = my_addr.rpartition("@")[2] or "onward.invalid"
    msg["Message-ID"] = make_msgid("onward", domain=domain)
    parent = _MSGID.findall(row.get("message_id") or "")
    if parent:
        refs = _MSGID.findall(row.get("refs") or "")[-20:]
        msg["In-Reply-To"] = parent[0]
        msg["References"] = " ".join(dict.fromkeys([*refs, parent[0]]))
    msg.set_content(body)
    return msg


def _address(name: str, addr: str) -> str:
    if not addr:
        return text(name)
    local, _, domain = addr.partition("@")
    return str(Address(display_name=text(name), username=local, domain=domain))
