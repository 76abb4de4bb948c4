"""Outgoing mail: where a message onward composed leaves it, beside the sources and movers.

An `Outbox` puts one message in one place: the account's Drafts folder (IMAP APPEND), an
.eml file in onward's own drafts folder, or the recipient's inbox (SMTP, only when the
person asks to send). `put` says where in words the person recognises; when it cannot, it
raises `DraftError` with one plain sentence, and then nothing was sent. The two kinds of
draft are stored at most once each, even when retried after a dropped connection.
"""

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
from typing import Protocol

from imapclient import DRAFT, SEEN

from onward.errors import MailError
from onward.mail.network import NETWORK_ERRORS, tls_hint
from onward.mail.sources.imap import ImapSource, describe_error

DRAFTS_FLAG = b"\\Drafts"


class DraftError(MailError):
    """The draft could not be stored or sent; nothing was sent."""


class Outbox(Protocol):
    """One place a message can go; `close` lets go of any connection `put` opened."""

    def put(self, msg: EmailMessage) -> str:
        """Store or send `msg`; where it went (a folder, a path, an SMTP server)."""
        ...

    def close(self) -> None: ...


class ImapDrafts:
    """The Drafts folder of an IMAP account (the special-use \\Drafts one, else "Drafts")."""

    def __init__(self, source: ImapSource) -> None:
        self.source = source

    def put(self, msg: EmailMessage) -> str:
        """APPEND with \\Draft and \\Seen; once, even if retried after a drop."""
        data = msg.as_bytes()
        mid = str(msg["Message-ID"])
        source = self.source
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
        except NETWORK_ERRORS as exc:
            source.drop()
            raise DraftError(describe_error(exc, source.settings, source.name)) from exc

    def close(self) -> None:
        self.source.close()


class FileDrafts:
    """An .eml file named after `stem` in `folder`, for accounts onward cannot write to."""

    def __init__(self, folder: Path, stem: str) -> None:
        self.folder = folder
        self.stem = stem

    def put(self, msg: EmailMessage) -> str:
        folder = self.folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # drafts hold the person's words
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.stem)
        safe = safe[:60].strip("-")
        target = folder / f"{safe or 'followup'}.eml"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{safe}-{n}.eml"
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(msg.as_bytes())
        Path(tmp).replace(target)  # atomic: never half a draft
        return str(target)

    def close(self) -> None:
        pass


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


class SmtpOutbox:
    """Sending through the account's SMTP server, logged in with `password`."""

    def __init__(self, settings: SmtpSettings, password: str) -> None:
        self.settings = settings
        self.password = password

    def check(self) -> None:
        """Log in and leave, so a wrong setting is heard before the person is asked anything."""
        with _session(self.settings, self.password):
            pass

    def put(self, msg: EmailMessage) -> str:
        settings = self.settings
        if not msg.get("To"):
            raise DraftError("The reply has no recipient, so it was not sent.")
        with _session(settings, self.password) as smtp:
            try:
                smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                raise DraftError(
                    f"The mail server at {settings.where} refused the recipient; nothing was sent."
                ) from exc
            except (smtplib.SMTPException, OSError) as exc:
                raise DraftError(_failure(exc, settings)) from exc
        return f"smtp://{settings.where}"

    def close(self) -> None:
        pass


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
