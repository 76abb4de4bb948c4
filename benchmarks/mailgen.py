"""Generate realistic mail for benchmarks: sizes, MIME structures, charsets and attachments
in the proportions measured on real mailboxes (shared notes: mail-parsing-performance.md)."""

from __future__ import annotations

import base64
import quopri
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

WORDS = (
    "the a to of and in for on with at from this that we you our your is are was will "
    "meeting project report update invoice order shipping weekend family photos dinner "
    "draft review budget plan notes agenda call tomorrow thanks regards team week "
    "café naïve über straße"
).split()
# About one message in ten is job mail, as in a job seeker's inbox: only those carry the
# job vocabulary, so the classifier's extraction step runs on a realistic share.
JOB_WORDS = (
    "thank you for your application we have received the role team interview next "
    "steps unfortunately position candidates experience hiring manager schedule offer résumé"
).split()
JOB_SHARE = 0.1
COMPANIES = [
    "Acme Robotics",
    "Globex",
    "Initech",
    "Brightwave",
    "Northwind",
    "Kestrel Labs",
    "Umbra Health",
    "Solstice Energy",
    "Harbor Health",
    "Quayside Bank",
]
SUBJECTS = ["Your application to", "Update from", "Interview with", "News from"]
PLAIN_SUBJECTS = ["Weekly notes from", "Invoice from", "Photos from", "Re: plans with", "Order at"]
CHARSETS = [
    ("utf-8", "quoted-printable", 33),
    ("utf-8", "8bit", 17),
    ("utf-8", "base64", 12),
    ("us-ascii", "7bit", 12),
    ("iso-8859-1", "quoted-printable", 12),
    ("windows-1252", "quoted-printable", 7),
    ("iso-8859-1", "8bit", 5),
    ("koi8-r", "base64", 2),
]


def _text(rng: random.Random, n: int, words: list[str] | None = None) -> str:
    words = words or WORDS
    lines, line = [], []
    for _ in range(n):
        line.append(rng.choice(words))
        if len(line) > 11:
            lines.append(" ".join(line))
            line = []
    lines.append(" ".join(line))
    return "\n".join(lines)


def _encode(text: str, charset: str, cte: str) -> bytes:
    raw = text.encode(charset, "replace")
    if cte == "base64":
        return base64.encodebytes(raw)
    if cte == "quoted-printable":
        return quopri.encodestring(raw)
    if charset == "us-ascii":
        return text.encode("ascii", "replace")
    return raw


def _pick_charset(rng: random.Random) -> tuple[str, str]:
    r = rng.uniform(0, 100)
    for cs, cte, w in CHARSETS:
        r -= w
        if r <= 0:
            return cs, cte
    return "utf-8", "8bit"


def _headers(rng: random.Random, i: int, when: datetime, job: bool) -> list[str]:
    company = rng.choice(COMPANIES)
    hops = [
        f"Received: from mx{h}.example.net (mx{h}.example.net [10.0.{h}.{i % 250}])\n"
        f"\tby mail.example.org with ESMTPS id {rng.getrandbits(48):x}\n"
        f"\tfor <sam@example.org>; {when:%a, %d %b %Y %H:%M:%S} +0000"
        for h in range(rng.randint(2, 6))
    ]
    return (
        hops
        + [
            f"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from:to:subject:date;\n"
            f"\tb={base64.b64encode(rng.randbytes(180)).decode()}",
            f"From: {company} <no-reply@{company.lower().replace(' ', '')}.example>",
            "To: Sam Rivera <sam@example.org>",
            f"Subject: {rng.choice(SUBJECTS if job else PLAIN_SUBJECTS)} {company} {i}",
            f"Date: {when:%a, %d %b %Y %H:%M:%S} +0000",
            f"Message-ID: <bench-{i}-{rng.getrandbits(32):x}@example.com>",
            "MIME-Version: 1.0",
        ]
        + (
            ["List-Unsubscribe: <mailto:unsub@example.com>", "List-Id: <news.example.com>"]
            if i % 4 == 0
            else []
        )
    )


def message(i: int, seed: int = 1) -> bytes:
    rng = random.Random(seed * 1_000_003 + i)
    when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=i * 7)
    job = rng.random() < JOB_SHARE
    head = _headers(rng, i, when, job)
    size_words = int(rng.lognormvariate(5.5, 0.8))  # most bodies 1-10 KB
    text = _text(rng, max(size_words, 20), JOB_WORDS + WORDS if job else WORDS)
    cs, cte = _pick_charset(rng)
    kind = rng.uniform(0, 100)
    boundary = f"=_b{rng.getrandbits(40):x}"
    if kind < 44:
        head.append(f"Content-Type: text/plain; charset={cs}")
        head.append(f"Content-Transfer-Encoding: {cte}")
        body = _encode(text, cs, cte)
    else:
        html = "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n")) + "</body></html>"
        parts = [
            (
                f"Content-Type: text/plain; charset={cs}\nContent-Transfer-Encoding: {cte}",
                _encode(text, cs, cte),
            ),
            (
                f"Content-Type: text/html; charset={cs}\nContent-Transfer-Encoding: {cte}",
                _encode(html, cs, cte),
            ),
        ]
        sub = "alternative"
        if kind > 95:  # attachments: 100 KB to 2 MB, log-uniform, hold most of the bytes
            sub = "mixed"
            size = int(10 ** rng.uniform(5, 6.3))
            parts.append(
                (
                    "Content-Type: application/pdf; name=cv.pdf\n"
                    "Content-Disposition: attachment; filename=cv.pdf\n"
                    "Content-Transfer-Encoding: base64",
                    base64.encodebytes(rng.randbytes(size)),
                )
            )
        head.append(f'Content-Type: multipart/{sub}; boundary="{boundary}"')
        body = b"".join(f"--{boundary}\n{h}\n\n".encode() + p + b"\n" for h, p in parts)
        body += f"--{boundary}--\n".encode()
    return "\n".join(head).encode() + b"\n\n" + body


def messages(n: int, seed: int = 1) -> Iterator[bytes]:
    for i in range(n):
        yield message(i, seed)
