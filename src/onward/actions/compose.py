"""Compose the thank-you reply to a rejection: pure, from the stored email to the draft's bytes.

Every value taken from the email is only text: every line break and control character is
flattened before anything becomes a header, only well-formed Message-IDs are threaded, and
the person's template renders in Jinja2's sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime, getaddresses, make_msgid
from importlib import resources
from typing import Any

import idna
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from onward.classify import knowledge as kb

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# An address a reply can go to: a dot-atom local part and a host name, in any script. Anything
# else (a domain literal, a quoted or broken local part) the email package may not even parse.
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_USABLE = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[\w-]+(?:\.[\w-]+)+")
# One id: printable ASCII without space or angle brackets inside, as RFC 5322 has it.
_MSGID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_MSGIDS = re.compile(rf"(?:{_MSGID.pattern})+")
# Every C0 and C1 control, and so every character str.splitlines() breaks on (\v, \f,
# \x1c-\x1e, \x85) plus U+2028 and U+2029: the email package refuses a header value that
# splits into lines, and a control character is never text (nor is a lone surrogate).
_CTRL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")


def text(value: object) -> str:
    """A value from an email, safe to put in a header: on one line, no control characters."""
    return _CTRL.sub(" ", str(value or "")).strip()


def usable_address(value: str) -> bool:
    return bool(_USABLE.fullmatch(value or ""))


def message_ids(value: str) -> list[str]:
    """The well-formed ids in a Message-ID or References value; anything else is dropped whole,
    so no control character or stray text is ever copied into the draft."""
    return [
        i for tok in (value or "").split() if _MSGIDS.fullmatch(tok) for i in _MSGID.findall(tok)
    ]


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
    # The To is a Reply-To outside the sender's domain: the person must vouch for it, so
    # nothing drafts to it on its own (`before_archive = "draft"` skips it).
    foreign: bool = False


def is_automated(address: str) -> bool:
    """No-reply robots and ATS or job-board mailers: a reply there reaches nobody."""
    domain = kb.domain_of(address)
    return kb.is_robot(address) or bool(kb.ats_for(domain) or kb.board_for(domain))


def is_role(address: str) -> bool:
    local = address.partition("@")[0].lower()
    return any(local == r or local.startswith(r + ".") for r in kb.ROLE_LOCALPARTS)


def _same_org(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _speaks_for_nobody(domain: str) -> bool:
    """A sender domain that says nothing about the employer's own: none, an ATS or job board
    mailing on its behalf, or a personal mail provider."""
    return not domain or bool(kb.ats_for(domain) or kb.board_for(domain)) or domain in kb.FREEMAIL


def foreign_reply_to(row: dict[str, Any]) -> list[str]:
    """Reply-To addresses outside the sender's domain, where a spoofed or hijacked rejection
    would take the answer. Behind an ATS or a personal sender only a personal mail provider
    counts as outside: the employer's own domain is unknown there."""
    sender = kb.domain_of(text(row.get("from_addr")))
    found = []
    for _, a in getaddresses([row.get("reply_to") or ""]):
        address = text(a).lower()
        domain = kb.domain_of(address)
        if not domain or _same_org(domain, sender) or kb.ats_for(domain) or kb.board_for(domain):
            continue
        if _speaks_for_nobody(sender) and domain not in kb.FREEMAIL:
            continue
        found.append(address)
    return found


def outside(row: dict[str, Any]) -> str:
    sender = kb.domain_of(text(row.get("from_addr")))
    return "a personal mail address" if _speaks_for_nobody(sender) else f"outside {sender}"


def choose_recipient(row: dict[str, Any], mine: set[str]) -> Choice:
    """A human who can answer: Reply-To, then the sender, then an address in the text; a
    Reply-To outside the sender's domain comes last, and is said."""
    foreign = foreign_reply_to(row)
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
    trusted = [r for r in headed if r.address not in foreign]
    doubtful = [r for r in headed if r.address in foreign]
    role = lambda r: is_role(r.address)  # noqa: E731
    for r in sorted(trusted, key=role) + sorted(in_text, key=role) + doubtful:
        usable = usable_address(r.address) and not is_automated(r.address)
        if usable and r.address not in mine | seen:
            seen.add(r.address)
            ranked.append(r)
    robots = [r.address for r in headed if r.address and is_automated(r.address)]
    top = ranked[0] if ranked else None
    if top and top.address in foreign:
        return Choice(
            top,
            f"The rejection asks for replies at {top.address}, {outside(row)}: make sure it "
            "is the employer's before you send this draft there.",
            ranked[1:],
            foreign=True,
        )
    unused = f"Reply-To {foreign[0]} is {outside(row)}" if foreign else ""
    if top and top.found_in != "text":
        note = f"The rejection's {unused}, so the draft goes to {top.address}." if unused else ""
        return Choice(top, note, ranked[1:])
    said = (
        f"The rejection came from {robots[0]}, which nobody reads"
        if robots
        else "The rejection names no sender"
    ) + (f", and its {unused}" if unused else "")
    if top:
        kind = "a careers address" if is_role(top.address) else "an address"
        return Choice(top, f"{said}; the draft goes to {kind} found in its text.", ranked[1:])
    return Choice(
        None,
        f"{said}, and its text gives no other address: the draft's To is empty; add the "
        "recruiter's address before you send it.",
    )


DEFAULT_TEMPLATE = "followup.txt.j2"
# From and signature when onward does not know who the person is: visible, and undeliverable
# (.invalid is reserved, RFC 2606), never a name or address taken from the mail.
PLACEHOLDER = ("[your name]", "your-address@onward.invalid")
# Where the employer's name goes when nothing names it: seen at a glance, never mistaken for
# words the person wrote ("the team at your team").
COMPANY_PLACEHOLDER = "[company]"
COMPANY_NOTE = (
    f"Neither the email nor an application names the employer, so the draft says "
    f"{COMPANY_PLACEHOLDER} where their name goes: put it in before you send it."
)
_NOBODY = Address(display_name=PLACEHOLDER[0], addr_spec=PLACEHOLDER[1])


def placeholders(row: dict[str, Any]) -> list[str]:
    """What the draft of a reply to `row` must say it left as a placeholder."""
    return [] if text(row.get("company")) else [COMPANY_NOTE]


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
    sender = mailbox(text(me[0]), text(me[1])) or _NOBODY
    to = choice.to
    first = to.name.split()[0] if to and to.name and not is_role(to.address) else ""
    body = render(
        template,
        {
            "first_name": text(first),
            "recruiter": text(to.name if to else ""),
            "company": text(row.get("company")) or COMPANY_PLACEHOLDER,
            "role": text(row.get("role")),
            "my_name": sender.display_name or sender.addr_spec,
            "subject": text(row.get("subject")),
        },
    )
    said = [n for n in (choice.note, *placeholders(row)) if n]
    if said:  # in the draft too: the person may open it in their mail client, not here
        lines = "".join(f"[onward: {n} Delete this line before sending.]\n" for n in said)
        body = f"{lines}\n{body}"
    recipient = mailbox(to.name, to.address) if to else None
    msg = EmailMessage(policy=_policy_for(sender, recipient))
    msg["From"] = sender
    if recipient is not None:
        msg["To"] = recipient
    msg["Subject"] = subject_of(row.get("subject") or "")
    msg["Date"] = format_datetime(now)
    domain = sender.domain if sender.domain.isascii() else "onward.invalid"
    msg["Message-ID"] = make_msgid("onward", domain=domain)
    parent = message_ids(row.get("message_id") or "")
    if parent:
        refs = message_ids(row.get("refs") or "")[-20:]
        msg["In-Reply-To"] = parent[0]
        msg["References"] = " ".join(dict.fromkeys([*refs, parent[0]]))
    msg.set_content(body)
    return msg


def mailbox(name: str, addr: str) -> Address | None:
    """A header address with its domain in IDNA (ASCII) form, which every server takes; a
    local part that is not ASCII stays as it is and needs SMTPUTF8 (RFC 6531)."""
    if not usable_address(addr):
        return None
    local, _, domain = addr.rpartition("@")
    if domain and not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError:
            pass  # not a valid IDNA name: kept as typed, sent as UTF-8
    return Address(display_name=text(name), username=local, domain=domain)


def _policy_for(*addresses: Address | None) -> EmailPolicy[EmailMessage]:
    """SMTP's policy, with UTF-8 headers only when an address cannot be written in ASCII."""
    needs_utf8 = any(a is not None and not a.addr_spec.isascii() for a in addresses)
    return SMTP.clone(utf8=True) if needs_utf8 else SMTP
