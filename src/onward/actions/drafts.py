"""Where a follow-up goes: the Drafts folder over IMAP, an .eml file, or SMTP when asked."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from imapclient import DRAFT, SEEN

from onward.errors import MailError
from onward.mail.sources.imap import _NETWORK_ERRORS, ImapSource, describe_error, tls_hint

DRAFTS_FLAG = b"\\Drafts"


class DraftError(MailError):
    """The draft could not be stored or sent; nothing was sent."""


def save_to_imap(source: ImapSource, msg: EmailMessage) -> str:
    """APPEND to the Drafts folder with \\Draft and \\Seen; once, even if retried after a drop."""
    data = msg.as_bytes()
    mid = str(msg["Message-ID"])
    try:
        c = source.connect()
        folder = c.find_special_folder(DRAFTS_FLAG)
        if folder is None:
            folder = "Drafts"
            if not c.folder_exists(folder):
                c.create_folder(folder)
        c.select_folder(folder, readonly=True)
        if not c.search(["HEADER", "Message-ID", mid]):  # a dropped APPEND may have landed
            c.append(folder, data, flags=(DRAFT, SEEN), msg_time=datetime.now(UTC))
        return str(folder)
    except _NETWORK_ERRORS as exc:
        source.drop()
        raise DraftError(describe_error(exc, source.settings, source.name)) from exc


def save_to_file(folder: Path, msg: EmailMessage, stem: str) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # drafts hold the person's words
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:60].strip("-")
    target = folder / f"{safe or 'followup'}.eml"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{safe}-{n}.eml"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(msg.as_bytes())
    Path(tmp).replace(target)  # atomic: never half a draft
    return target


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    security: str = "tls"  # tls | starttls
    ca_file: str | None = None
    timeout: float = 30.0
    account: str = "NAME"  # for the command that fixes a setting

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def check(settings: SmtpSettings, password: str) -> None:
    """Log in and leave, so a wrong setting is heard before the person is asked anything."""
    with _session(settings, password):
        pass


def send(settings: SmtpSettings, password: str, msg: EmailMessage) -> None:
    if not msg.get("To"):
        raise DraftError("The reply has no recipient, so it was not sent.")
    with _session(settings, password) as smtp:
        try:
            smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DraftError(
                f"The mail server at {settings.where} refused the recipient; nothing was sent."
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DraftError(_failure(exc, settings)) from exc


@contextmanager
def _session(settings: SmtpSettings, password: str) -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP connection; every failure becomes one sentence that sends nothing."""
    ctx = ssl.create_default_context(cafile=settings.ca_file)
    try:
        if settings.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, context=ctx, timeout=settings.timeout
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (smtplib.SMTPException, OSError) as exc:
        raise DraftError(_failure(exc, settings)) from exc
    with smtp:
        try:
            if settings.security != "tls":
                smtp.starttls(context=ctx)
            smtp.login(settings.user, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DraftError(
                f"The mail server at {settings.where} refused the login for {settings.user}."
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DraftError(_failure(exc, settings)) from exc
        yield smtp


def _failure(exc: BaseException, settings: SmtpSettings) -> str:
    name = settings.account
    hint = tls_hint(
        exc,
        settings.where,
        f"`onward account set {name} --smtp {settings.where} --smtp-starttls`",
        f"`onward account set {name} --ca-file PATH`",
    )
    if hint:
        return f"{hint[:-1]}; nothing was sent."
    if isinstance(exc, ConnectionRefusedError):
        return f"Nothing is listening at {settings.where} (connection refused); nothing was sent."
    return f"Could not send through {settings.where} ({exc}); nothing was sent."
