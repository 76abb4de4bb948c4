"""Realistic test messages, built with the stdlib so their MIME is right by construction."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

COMPANIES = ["Acme Robotics", "Globex", "Initech", "Brightwave", "Northwind", "Kestrel Labs"]


def message(
    i: int,
    subject: str | None = None,
    body: str | None = None,
    sender: str | None = None,
    html: bool = False,
    attachment: int = 0,
    charset: str = "utf-8",
) -> bytes:
    company = COMPANIES[i % len(COMPANIES)]
    msg = EmailMessage()
    msg["From"] = sender or f"{company} <no-reply@greenhouse.io>"
    msg["To"] = "Sam Rivera <sam@example.org>"
    msg["Subject"] = subject or f"Your application to {company} #{i}"
    msg["Date"] = format_datetime(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i))
    msg["Message-ID"] = f"<test-{i}@onward.test>"
    text = body or f"Hello Sam,\n\nThank you for applying to {company}. Message number {i}.\n"
    msg.set_content(text, charset=charset)
    if html:
        msg.add_alternative(f"<html><body><p>{text}</p></body></html>", subtype="html")
    if attachment:
        payload = random.Random(i).randbytes(attachment)
        msg.add_attachment(payload, maintype="application", subtype="pdf", filename="cv.pdf")
    return msg.as_bytes()


def mbox_bytes(messages: list[bytes]) -> bytes:
    out = []
    for m in messages:
        lines = m.replace(b"\r\n", b"\n").split(b"\n")
        quoted = [b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in lines]
        out.append(
            b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
            + b"\n".join(quoted).rstrip(b"\n")
            + b"\n\n"
        )
    return b"".join(out)
