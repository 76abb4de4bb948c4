"""The follow-up flow: pick the rejection, compose, store the draft (or send when asked),
record it with its reminders, and later link the employer's answer to the application."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import TemplateError

from onward import accounts, secrets
from onward.actions import compose as c
from onward.mail.outbox import DraftError, FileDrafts, ImapDrafts, Outbox, SmtpOutbox, SmtpSettings
from onward.store.followups import Followups

if TYPE_CHECKING:
    from onward.config import Config
    from onward.store.db import Store

CHECK_BACK_WEEKS = 2
RECONTACT_DAYS = 90
PLACEHOLDER = c.PLACEHOLDER
PLACEHOLDER_NOTE = (
    f"onward does not know your own address, so the draft is from a placeholder, {PLACEHOLDER[1]}: "
    "change it before you send, or run `onward followup` in a terminal once to set it."
)

# Asks the person for (name, address) at a terminal; None when they give none.
Ask = Callable[[], tuple[str, str] | None]


@dataclass
class Draft:
    row: dict[str, Any]
    choice: c.Choice
    message: EmailMessage
    account: str | None
    me_unknown: bool = False

    @property
    def notes(self) -> list[str]:
        unknown = [PLACEHOLDER_NOTE] if self.me_unknown else []
        return [n for n in (self.choice.note, *c.placeholders(self.row), *unknown) if n]


def template_path(config: Config) -> Path:
    return config.paths.config_dir / "templates" / c.DEFAULT_TEMPLATE


def template(config: Config) -> str:
    """The person's own template, created from the default on first use so they can edit it."""
    path = template_path(config)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(c.default_template(), "utf-8")
    return path.read_text("utf-8")


def is_address(value: str) -> bool:
    return c.usable_address(value)


def known_me(config: Config, source: str) -> tuple[str, str] | None:
    """The person's own (name, address) for mail from `source`: the account's address, or its
    IMAP login when that is an address; for a file scanned without an account, [followup]'s.
    Never a recipient of the mail: its first To may be anyone."""
    acc = config.find_account(source)
    if acc is None:
        fallback = config.followup
        name, candidates = fallback.name, [fallback.address]
    else:
        name, candidates = acc.sending.name, [acc.sending.address, acc.user]
    for value in candidates:
        if value and is_address(value):
            return name, value
    return None


def remember_me(config: Config, source: str, name: str, address: str) -> None:
    target = config.account_tables.get(source)
    if target is None:
        target = config.data.setdefault("followup", {})
    target["address"] = address
    if name:
        target["name"] = name
    config.save()


def identity(config: Config, source: str, ask: Ask | None) -> tuple[str, str] | None:
    """Who the draft is from; asked once at a terminal and kept in the config."""
    me = known_me(config, source)
    if me is None and ask is not None:
        me = ask()
        if me is not None:
            remember_me(config, source, *me)
    return me


def refuse_unless_rejection(row: dict[str, Any]) -> None:
    """A thank-you for considering an application, sent to a friend who cancelled dinner,
    is worse than none: only a rejection (or an email corrected to one) gets a draft."""
    kind = row.get("kind") or "unclassified"
    if kind != "rejection":
        raise DraftError(
            f"Email {row['id']} is classified {kind}, not a rejection, so no follow-up was "
            f"drafted: if it is one, say so with `onward label {row['id']} rejection`, or "
            "pass --anyway to draft it all the same."
        )


def with_application(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    """The email's row with the employer and role of the application it is linked to: the
    person's own record, and what to say when the email names neither."""
    from onward.errors import NotFound
    from onward.tracker.repo import Tracker

    if row.get("application_id") is None:
        return row
    try:
        app = Tracker(store).app(row["application_id"])
    except NotFound:
        return row
    return row | {
        "company": app["company"] or row.get("company") or "",
        "role": app["role"] or row.get("role") or "",
    }


def prepare(
    config: Config,
    row: dict[str, Any],
    now: datetime | None = None,
    ask: Ask | None = None,
    store: Store | None = None,
) -> Draft:
    """The draft of a reply to `row`; with `store`, named as its application is."""
    now = now or datetime.now(UTC)
    if store is not None:
        row = with_application(store, row)
    me = identity(config, row["source"], ask)
    mine = {a.lower() for _, a in getaddresses([row.get("to_addrs") or ""]) if a}
    if me:
        mine.add(me[1].lower())
    choice = c.choose_recipient(row, mine)
    try:
        msg = c.compose(row, choice, me or PLACEHOLDER, template(config), now)
    except TemplateError as exc:  # includes the sandbox's SecurityError
        raise DraftError(f"Your template {template_path(config)} has an error: {exc}.") from exc
    return Draft(row, choice, msg, account_of(config, row), me_unknown=me is None)


def drafts_outbox(config: Config, draft: Draft) -> Outbox:
    """Where the person will find the draft: their IMAP account's Drafts folder, else a file."""
    acc = config.find_account(draft.account or "")
    if acc is not None and acc.is_imap:
        source, _ = accounts.source_for(config, draft.account or "")
        return ImapDrafts(source)  # type: ignore[arg-type]
    stem = f"{draft.row.get('company') or 'followup'}-{draft.row['id']}"
    return FileDrafts(config.paths.data_dir / "drafts", stem)


def store_draft(config: Config, store: Store, draft: Draft) -> str:
    """Put the draft where the person will find it, and record it with its reminders."""
    outbox = drafts_outbox(config, draft)
    try:
        where = outbox.put(draft.message)
    finally:
        outbox.close()
    _record(config, store, draft, "drafted", where)
    return where


def smtp_settings(config: Config, account: str | None) -> tuple[SmtpSettings, str]:
    acc = config.find_account(account or "")
    if acc is None or not acc.sending.smtp_host:
        raise DraftError(
            "No SMTP server is set for this account: add one with "
            f"`onward account set {account if acc else 'NAME'} --smtp HOST[:PORT]`, "
            "or send the draft yourself."
        )
    out = acc.sending
    s = SmtpSettings(
        out.smtp_host,
        out.smtp_port or (465 if out.smtp_security == "tls" else 587),
        out.smtp_user or acc.user,
        out.smtp_security,
        acc.ca_file,
        account=acc.name,
    )
    method, value = secrets.resolve(acc)
    if method != "password":
        raise DraftError("Sending needs a password; OAuth2 sending is not supported yet.")
    return s, value


def account_of(config: Config, row: dict[str, Any]) -> str | None:
    return row["source"] if row["source"] in config.account_tables else None


def ready_to_send(config: Config, row: dict[str, Any], can_ask: bool) -> SmtpOutbox:
    """The SMTP outbox for a reply to `row`, with a login to prove its settings; refused at
    once when the person's own address is unknown and cannot be asked."""
    if not can_ask and known_me(config, row["source"]) is None:
        raise DraftError(ME_UNKNOWN)
    outbox = SmtpOutbox(*smtp_settings(config, account_of(config, row)))
    outbox.check()
    return outbox


ME_UNKNOWN = (
    "onward does not know your own address, so the reply was not sent: run "
    "`onward followup` in a terminal once to set it."
)


def refuse_unsendable(draft: Draft) -> None:
    if draft.me_unknown:
        raise DraftError(ME_UNKNOWN)


def send_now(config: Config, store: Store, draft: Draft, ready: SmtpOutbox | None = None) -> None:
    refuse_unsendable(draft)
    outbox = ready or SmtpOutbox(*smtp_settings(config, draft.account))
    where = outbox.put(draft.message)
    _record(config, store, draft, "sent", where, sent=True)


def _record(
    config: Config, store: Store, draft: Draft, state: str, where: str, sent: bool = False
) -> None:
    opts = config.followup
    now = datetime.now(UTC)
    Followups(store).record(
        now,
        CHECK_BACK_WEEKS if opts.check_back_weeks is None else opts.check_back_weeks,
        RECONTACT_DAYS if opts.recontact_days is None else opts.recontact_days,
        email_id=draft.row["id"],
        application_id=draft.row.get("application_id"),
        source=draft.row["source"],
        to_addr=draft.choice.to.address if draft.choice.to else "",
        subject=str(draft.message["Subject"]),
        message_id=str(draft.message["Message-ID"]),
        state=state,
        stored_in=where,
        note=" ".join(draft.notes),
        sent_at=now if sent else None,
    )


def link_answers(store: Store) -> int:
    """Link each employer's answer to a follow-up: the email joins the application, and its
    text is kept as the feedback."""
    from onward.tracker.repo import Tracker

    fu = Followups(store)
    tracker = Tracker(store)
    found = fu.unanswered_replies(_from_employer)
    for f, e in found:
        fu.update(
            f["id"],
            reply_email_id=e["id"],
            feedback=(e["body"] or "")[:4000],
            answered_at=e["sent_at"],
        )
        if f["application_id"]:
            tracker.link_feedback(e["id"], f["application_id"], e["sent_at"])
    return len(found)


def figures(store: Store, now: datetime) -> dict[str, Any]:
    """Feedback asked for and answered (the answers that came linked first), with the
    reminders due at `now`, in the order the follow-ups were made."""
    from onward.tracker.insights import followup_figures

    link_answers(store)
    return followup_figures(Followups(store).with_company(newest_first=False), now)


def _from_employer(followup: dict[str, Any], answer: dict[str, Any]) -> bool:
    """Mail from a Reply-To outside the rejection's sender domain is not the employer's word."""
    original = {"from_addr": followup["original_from"], "reply_to": followup["original_reply_to"]}
    return (answer["from_addr"] or "").lower() not in c.foreign_reply_to(original)
