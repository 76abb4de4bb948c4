"""The follow-up flow: pick the rejection, compose, store the draft (or send when asked),
record it with its reminders, and later link the employer's answer to the application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from onward import accounts, secrets
from onward.actions import compose as c
from onward.actions.drafts import DraftError, SmtpSettings, save_to_file, save_to_imap, send
from onward.config import Config
from onward.store.db import Store
from onward.store.followups import Followups

CHECK_BACK_WEEKS = 2
RECONTACT_DAYS = 90


@dataclass
class Draft:
    row: dict[str, Any]
    choice: c.Choice
    message: EmailMessage
    account: str | None


def settings(config: Config) -> dict[str, Any]:
    return dict(config.data.get("followup", {}))


def template_path(config: Config) -> Path:
    return config.paths.config_dir / "templates" / c.DEFAULT_TEMPLATE


def template(config: Config) -> str:
    """The person's own template, created from the default on first use so they can edit it."""
    path = template_path(config)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(c.default_template(), "utf-8")
    return path.read_text("utf-8")


def _me(config: Config, row: dict[str, Any]) -> tuple[str, str]:
    acc = config.accounts.get(row["source"], {})
    if acc.get("address"):
        return str(acc.get("name", "")), str(acc["address"])
    found = getaddresses([row.get("to_addrs") or ""])
    return found[0] if found else ("", "")


def prepare(config: Config, row: dict[str, Any], now: datetime | None = None) -> Draft:
    now = now or datetime.now(UTC)
    me = _me(config, row)
    mine = {a.lower() for _, a in getaddresses([row.get("to_addrs") or ""]) if a} | {me[1].lower()}
    choice = c.choose_recipient(row, mine)
    try:
        msg = c.compose(row, choice, me, template(config), now)
    except TemplateError as exc:  # includes the sandbox's SecurityError
        raise DraftError(f"Your template {template_path(config)} has an error: {exc}.") from exc
    account = row["source"] if row["source"] in config.accounts else None
    return Draft(row, choice, msg, account)


def store_draft(config: Config, store: Store, draft: Draft) -> str:
    """Put the draft where the person will find it, and record it with its reminders."""
    acc = config.accounts.get(draft.account or "", {})
    if acc.get("type") == "imap":
        source, _ = accounts.source_for(config, draft.account or "")
        try:
            where = save_to_imap(source, draft.message)  # type: ignore[arg-type]
        finally:
            source.close()
    else:
        stem = f"{draft.row.get('company') or 'followup'}-{draft.row['id']}"
        where = str(save_to_file(config.paths.data_dir / "drafts", draft.message, stem))
    _record(config, store, draft, "drafted", where)
    return where


def smtp_settings(config: Config, account: str | None) -> tuple[SmtpSettings, str]:
    acc = config.accounts.get(account or "", {})
    if not acc.get("smtp_host"):
        raise DraftError(
            "No SMTP server is set for this account: add one with "
            "`onward account add NAME ... --smtp HOST[:PORT]`, or send the draft yourself."
        )
    security = acc.get("smtp_security", "tls")
    port = int(acc.get("smtp_port") or (465 if security == "tls" else 587))
    s = SmtpSettings(
        acc["smtp_host"],
        port,
        acc.get("smtp_user") or acc.get("user", ""),
        security,
        acc.get("ca_file"),
    )
    method, value = secrets.resolve(account or "", acc)
    if method != "password":
        raise DraftError("Sending needs a password; OAuth2 sending is not supported yet.")
    return s, value


def send_now(config: Config, store: Store, draft: Draft) -> None:
    s, password = smtp_settings(config, draft.account)
    send(s, password, draft.message)
    _record(config, store, draft, "sent", f"smtp://{s.host}:{s.port}", sent=True)


def _record(
    config: Config, store: Store, draft: Draft, state: str, where: str, sent: bool = False
) -> None:
    opts = settings(config)
    now = datetime.now(UTC)
    Followups(store).record(
        now,
        int(opts.get("check_back_weeks", CHECK_BACK_WEEKS)),
        int(opts.get("recontact_days", RECONTACT_DAYS)),
        email_id=draft.row["id"],
        application_id=draft.row.get("application_id"),
        source=draft.row["source"],
        to_addr=draft.choice.to.address if draft.choice.to else "",
        subject=str(draft.message["Subject"]),
        message_id=str(draft.message["Message-ID"]),
        state=state,
        stored_in=where,
        note=draft.choice.note,
        sent_at=now if sent else None,
    )


def link_answers(store: Store) -> int:
    """Link each employer's answer to a follow-up: the email joins the application, and its
    text is kept as the feedback."""
    from onward.store.schema import emails
    from onward.tracker.repo import Tracker

    fu = Followups(store)
    tracker = Tracker(store)
    found = fu.unanswered_replies()
    for f, e in found:
        fu.update(
            f["id"],
            reply_email_id=e["id"],
            feedback=(e["body"] or "")[:4000],
            answered_at=e["sent_at"],
        )
        if f["application_id"]:
            with store.engine.begin() as conn:
                conn.execute(
                    emails.update()
                    .where(emails.c.id == e["id"], emails.c.application_id.is_(None))
                    .values(application_id=f["application_id"], link_state="linked")
                )
                tracker.add_event(
                    conn, f["application_id"], "feedback", e["sent_at"], email_id=e["id"]
                )
    return len(found)
