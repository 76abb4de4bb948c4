"""A job seeker's inbox for the archive and follow-up tests: rejections among other mail."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

EMPLOYERS = [
    ("Acme Robotics", "acmerobotics.com"),
    ("Globex", "globex.com"),
    ("Initech", "initech.io"),
    ("Brightwave", "brightwave.co"),
    ("Northwind Traders", "northwind.com"),
    ("Kestrel Labs", "kestrel-labs.com"),
]
ROLES = ["Data Analyst", "Backend Engineer", "Product Designer", "Support Specialist"]
REJECTION = (
    "Hi Sam,\n\nThank you for your interest in the {role} position at {company} and for the "
    "time you invested in our process. After careful consideration, we have decided to move "
    "forward with other candidates whose experience more closely matches our needs.\n\n"
    "We will keep your resume on file and wish you the best of luck in your job search.\n\n"
    "Best regards,\n{recruiter}\nTalent Acquisition, {company}\n"
)
OTHER = (
    "Hi Sam,\n\nHere are the notes from Tuesday's book club. Next month we read a novel about "
    "lighthouses; bring snacks. Item {i}.\n\nCheers,\nRobin\n"
)


def _msg(i: int, subject: str, body: str, sender: str, reply_to: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Sam Rivera <sam@example.org>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=7 * i))
    msg["Message-ID"] = f"<inbox-{i}-{random.Random(i).getrandbits(40):x}@mail.test>"
    if reply_to:
        msg["Reply-To"] = reply_to
    msg.set_content(body)
    return msg


def rejection(i: int, human: bool = False) -> bytes:
    company, domain = EMPLOYERS[i % len(EMPLOYERS)]
    role = ROLES[i % len(ROLES)]
    recruiter = ["Dana Whitfield", "Lee Okafor", "Priya Raman"][i % 3]
    body = REJECTION.format(role=role, company=company, recruiter=recruiter)
    if human:
        first, last = recruiter.lower().split()
        sender = f"{recruiter} <{first}.{last}@{domain}>"
    else:
        sender = f"{company} <no-reply@greenhouse.io>"
    return _msg(i, f"Your application for {role} at {company}", body, sender).as_bytes()


def other(i: int) -> bytes:
    return _msg(
        i, f"Book club notes #{i}", OTHER.format(i=i), "Robin <robin@example.net>"
    ).as_bytes()


def inbox(total: int, rejections: int, seed: int = 1) -> tuple[list[bytes], set[int]]:
    """`total` messages of which `rejections` are rejections, shuffled; returns their indexes."""
    rng = random.Random(seed)
    picks = set(rng.sample(range(total), rejections))
    return [rejection(i) if i in picks else other(i) for i in range(total)], picks
