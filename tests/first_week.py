"""A new user's mailbox for the first-week walkthrough: 145 messages, generated job mail and
everyday mail, plus nine written by hand as people write them (issue 14).

The hand-written ones are what a model trained on templates finds hardest: rejections written
by a person, interview invitations that reply in the thread of their own confirmation, an
offer, and a friend's "Unfortunately I can't make it to dinner".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from tests.jobmail import inbox

ME = "Sam Rivera <sam@example.org>"
START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _mail(
    n: int,
    sender: str,
    subject: str,
    body: str,
    days: int,
    reply_to: str | None = None,
    in_reply_to: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ME
    msg["Subject"] = subject
    msg["Date"] = format_datetime(START + timedelta(days=days, minutes=n))
    msg["Message-ID"] = f"<week-{n}@first-week.test>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if reply_to:
        msg["Reply-To"] = reply_to
    msg.set_content(body)
    return msg


def confirmation(n: int, company: str, domain: str, role: str, days: int) -> EmailMessage:
    return _mail(
        n,
        f"{company} Careers <careers@{domain}>",
        f"Thank you for applying to {company}",
        f"Hi Sam,\n\nThank you for applying for the {role} position at {company}. We have "
        "received your application and our team will review it. If your experience matches "
        f"what we are looking for, we will be in touch.\n\nBest regards,\n{company} Talent Team\n",
        days,
    )


def hand_written() -> list[EmailMessage]:
    """Nine messages as people write them, in threads where a person would reply."""
    lumen = confirmation(901, "Lumen Labs", "lumenlabs.io", "Data Analyst", 0)
    fern = confirmation(902, "Fern & Fig", "fernandfig.com", "Operations Analyst", 1)
    return [
        lumen,
        fern,
        _mail(
            903,
            "Maya Chen <maya.chen@lumenlabs.io>",
            "Re: Thank you for applying to Lumen Labs",
            "Hi Sam,\n\nI enjoyed reading your application. Could you do a 30-minute video call "
            "with me and our analytics lead next Tuesday or Wednesday afternoon? Let me know what "
            "works and I will send an invite.\n\nMaya\n",
            5,
            in_reply_to=str(lumen["Message-ID"]),
        ),
        _mail(
            904,
            "Tom Okafor <tom@fernandfig.com>",
            "Re: Thank you for applying to Fern & Fig",
            "Hello Sam,\n\nThanks for your patience. We'd love to meet you in person at our "
            "office on Friday at 10am to talk about the role. Does that suit?\n\nTom\n",
            6,
            in_reply_to=str(fern["Message-ID"]),
        ),
        _mail(
            905,
            "Priya Raman <priya@quillsoft.dev>",
            "Your application",
            "Hi Sam,\n\nThank you for taking the time to talk with us. It was a close call, but "
            "we have decided to go with another candidate for the Support Engineer role. I'd be "
            "glad to keep your details for future openings.\n\nAll the best,\nPriya\n",
            9,
        ),
        _mail(
            906,
            "Jonas Weber <jonas@brightpath.eu>",
            "Support Specialist role",
            "Dear Sam,\n\nI'm sorry to tell you that we won't be taking your application for the "
            "Support Specialist role further. We had many strong applicants.\n\nKind regards,\n"
            "Jonas\n",
            10,
        ),
        _mail(
            907,
            "Ana Lopez <ana.lopez@harborline.com>",
            "Following up",
            "Hi Sam,\n\nUnfortunately the Product Analyst position has been filled internally, so "
            "we will not be moving forward. Thank you again for your interest in Harborline.\n\n"
            "Ana\n",
            11,
        ),
        _mail(
            908,
            "Maya Chen <maya.chen@lumenlabs.io>",
            "Offer: Data Analyst at Lumen Labs",
            "Hi Sam,\n\nI'm delighted to offer you the Data Analyst position at Lumen Labs. The "
            "offer letter is attached; please let us know by Friday.\n\nMaya\n",
            14,
        ),
        _mail(
            909,
            "Robin Hale <robin.hale@example.net>",
            "Re: dinner on Saturday",
            "Hey Sam!\n\nUnfortunately I can't make it to dinner on Saturday, my sister is in "
            "town. Rain check next week?\n\nRobin\n",
            12,
        ),
    ]


def mailbox() -> list[bytes]:
    """The 145 messages: 136 generated (rejections among everyday mail) and the nine above."""
    generated, _ = inbox(136, 22, seed=14)
    return generated + [m.as_bytes() for m in hand_written()]
