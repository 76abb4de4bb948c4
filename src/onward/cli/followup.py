"""`onward followup`: a thank-you reply to a rejection, drafted in your own Drafts folder."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onward.cli.app import offers_checkin, open_store, out
from onward.config import Config
from onward.terminal import styled, visible

if TYPE_CHECKING:
    from onward.actions import followup as fu
    from onward.store.db import Store


def _find(store: Store, target: str, email_id: int | None) -> dict[str, Any]:
    from onward.store.emails import reply_target
    from onward.tracker.repo import Tracker, TrackerError

    if email_id is not None:
        found = store.find_emails(str(email_id))
    elif target.lstrip("#").isdigit():  # an application: reply to its latest rejection
        app_id = int(target.lstrip("#"))
        Tracker(store).app(app_id)
        row = reply_target(store, app_id)
        if row is None:
            raise TrackerError(f"Application #{app_id} has no email to reply to.")
        found = [row]
    else:
        found = store.find_emails(target)
    if not found:
        raise TrackerError(f"No email {target or email_id} in the database (scan first?).")
    return found[0]


def followup(
    target: Annotated[
        str, typer.Argument(help="A Message-ID, or an application number (#12 or 12).")
    ] = "",
    email: Annotated[int | None, typer.Option(help="The email's number in the database.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send it now (asks first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before sending.")] = False,
    show: Annotated[bool, typer.Option("--show", help="Print the reply, store nothing.")] = False,
    anyway: Annotated[
        bool, typer.Option("--anyway", help="Draft it even if the email is not a rejection.")
    ] = False,
) -> None:
    """Draft a thank-you reply that asks for feedback and to be kept on file."""
    # Imported here, as in every command that needs them: the drafting (Jinja) and the
    # tracker's database code are no part of other commands' start-up.
    from onward.actions import followup as fu
    from onward.mail.outbox import DraftError
    from onward.store.followups import Followups

    config = Config.load()
    store = open_store(config)
    if not target and email is None:
        _list_waiting(config, store)
        return
    row = _find(store, target, email)
    if not anyway:
        fu.refuse_unless_rejection(row)
    # Everything sending needs is checked before the person is asked anything.
    asker = terminal_asker()
    ready = fu.ready_to_send(config, row, asker is not None) if send and not show else None
    if row.get("kind") != "rejection":
        out.print(
            styled(
                ("Note:", "yellow"),
                f" this email is classified {row.get('kind') or 'unknown'}, not a rejection.",
            )
        )
    earlier = Followups(store).for_email(row["id"])
    if earlier and not show:
        out.print(
            f"A follow-up to this email was already {earlier[-1]['state']} "
            f"({earlier[-1]['stored_in']})."
        )
        if not send:
            return
    draft = fu.prepare(config, row, ask=asker, store=store)
    for note in draft.notes:
        out.print(note, style="yellow", markup=False, highlight=False)
    if show:
        out.print(readable(draft.message), emoji=False, soft_wrap=True)
        return
    if send:
        to = draft.message.get("To")
        if not to:
            raise DraftError("The reply has no recipient, so it was not sent.")
        fu.refuse_unsendable(draft)
        if not yes and not typer.confirm(visible(f"Send this reply to {to} now?"), default=False):
            out.print("Not sent.")
            raise typer.Exit(1)
        fu.send_now(config, store, draft, ready)
        out.print(f"Sent to {to}. onward will remind you to check back.")
        return
    where = fu.store_draft(config, store, draft)
    to = draft.message.get("To") or "nobody yet"
    out.print(f"Drafted a reply to {to} in {where}. Review it there, then send it yourself.")


# How the message is carried, not what it says: the person reads the decoded text instead.
_TRANSPORT_HEADERS = {"mime-version", "content-type", "content-transfer-encoding"}


def readable(message: EmailMessage) -> str:
    """The draft as the person will read it: headers and body decoded (no quoted-printable)."""
    headers = [
        f"{name}: {value}"
        for name, value in message.items()
        if name.lower() not in _TRANSPORT_HEADERS
    ]
    return "\n".join(headers) + "\n\n" + str(message.get_content()).rstrip("\n")


def terminal_asker() -> fu.Ask | None:
    """Ask the person for their own address, once per run, and only at a terminal."""
    if not sys.stdin.isatty():
        return None
    asked: list[tuple[str, str] | None] = []

    def ask() -> tuple[str, str] | None:
        if not asked:
            asked.append(_ask_me())
        return asked[0]

    return ask


def _ask_me() -> tuple[str, str] | None:
    from onward.actions import followup as fu

    out.print("onward does not know your own email address yet: it goes in your follow-ups' From.")
    address = typer.prompt("Your email address", default="", show_default=False).strip()
    if not fu.is_address(address):
        out.print("That is not an email address, so the draft gets a placeholder From.")
        return None
    name = typer.prompt("Your name, to sign with (Enter to skip)", default="", show_default=False)
    return name.strip(), address


def _list_waiting(config: Config, store: Store) -> None:
    from onward.actions import compose
    from onward.actions import followup as fu
    from onward.store.followups import Followups

    rows = Followups(store).without_followup()
    if not rows:
        out.print("Every rejection has a follow-up. Nothing to do.")
        return
    out.print(f"{len(rows)} rejections have no follow-up yet:")
    for r in rows:
        out.print(
            f"  --email {r['id']:<6} {r['company'] or r['from_addr']}: {r['subject']}",
            highlight=False,
        )
        for address in compose.foreign_reply_to(r):
            out.print(
                f"               its Reply-To {address} is {compose.outside(r)}: "
                "check it is the employer's before you reply.",
                style="yellow",
                markup=False,
                highlight=False,
            )
    out.print("Draft one with `onward followup --email N`.")
    out.print(f"Your template: {fu.template_path(config)} (created on first use; edit it freely).")


def register(app: typer.Typer) -> None:
    app.command()(offers_checkin(followup))
