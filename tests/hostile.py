"""The hostile-mail corpus: the small crafted messages in tests/data/hostile/ plus the large
ones generated here (too big to commit), and a way to run `onward` that measures each run.

Each file name starts with the number of the item of issue 12 it reproduces (16: relatives
that no item names: lying charsets, truncated MIME, empty files...).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.runner import SRC

DATA = Path(__file__).resolve().parent / "data" / "hostile"
HEAD = (
    "To: Sam Rivera <sam@example.org>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
)
REJECTION = (
    b"Hi Sam,\r\n\r\nThank you for your interest. After careful consideration, we have decided "
    b"to move forward with other candidates. We will keep your resume on file.\r\n\r\nBest,\r\n"
    b"Dana\r\n"
)


def _message(name: str, head: str, body: bytes, ctype: str = "text/plain; charset=utf-8") -> bytes:
    return (
        head + HEAD + f"Message-ID: <{name}@hostile.test>\r\nContent-Type: {ctype}\r\n\r\n"
    ).encode() + body


def _nested_multiparts(depth: int) -> bytes:
    body = b"Unfortunately we will not move forward.\r\n"
    ctype = b"text/plain"
    for level in range(depth):
        b = f"n{level}".encode()
        body = (
            b"--"
            + b
            + b"\r\nContent-Type: "
            + ctype
            + b"\r\n\r\n"
            + body
            + b"\r\n--"
            + b
            + b"--\r\n"
        )
        ctype = b'multipart/mixed; boundary="' + b + b'"'
    return b"Content-Type: " + ctype + b"\r\n\r\n" + body


def generated() -> dict[str, bytes]:
    """The large cases, each at the size the issue found trouble with (or a bounded relative)."""
    rej = "From: Acme <no-reply@greenhouse.io>\r\nSubject: Your application at Acme\r\n"
    nested = _nested_multiparts(1000)
    many_parts = b"".join(
        b"--p\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(20_000)
    )
    html = b"<html><body>" + b"<div>" * 200_000 + b"Unfortunately not.</body></html>"
    b64 = base64.encodebytes(b"<p>" + b"x" * (24 * 1024 * 1024) + b"</p>")
    return {
        "03-from-100kb-of-spaces.eml": _message(
            "spaces", "From: a" + " " * 100_000 + "b\r\nSubject: hello\r\n", REJECTION
        ),
        "03-subject-of-100kb-at-signs.eml": _message(
            "atsigns", "From: x@y.example\r\nSubject: " + "a@" * 50_000 + "\r\n", REJECTION
        ),
        "03-subject-votre-candidature-4500-times.eml": _message(
            "votre",
            "From: x@y.example\r\nSubject: " + "votre candidature : x " * 4_500 + "\r\n",
            REJECTION,
        ),
        "11-html-of-1mb-nested-divs.eml": _message("divs", rej, html, "text/html; charset=utf-8"),
        "11-base64-html-of-24mb.eml": _message(
            "b64", rej, b64, "text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64"
        ),
        "11-1000-nested-multiparts.eml": (
            rej + HEAD + "Message-ID: <nested@hostile.test>\r\n"
        ).encode()
        + nested,
        "16-20000-mime-parts.eml": _message(
            "parts", rej, many_parts + b"--p--\r\n", 'multipart/mixed; boundary="p"'
        ),
        "16-5mb-of-headers.eml": _message(
            "headers",
            rej + "".join(f"X-Junk-{i}: {'j' * 70}\r\n" for i in range(70_000)),
            REJECTION,
        ),
    }


def corpus() -> dict[str, bytes]:
    """Every hostile message by file name: the committed ones and the generated ones."""
    out = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.eml"))}
    out.update(generated())
    return out


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in corpus().items():
        (folder / name).write_bytes(data)
    return folder


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the peak resident memory of the onward process

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def measured(*args: str, home: Path, timeout: float = 300, db: str | None = None) -> Run:
    """Run `onward ARGS` as the tests' runner does, and measure its time and peak memory."""
    env = {
        "ONWARD_HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PYTHONPATH": str(SRC),
    }
    if db:
        env["ONWARD_DB"] = db
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "onward", *args],
            stdout=out,
            stderr=err,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                proc.wait()
                raise AssertionError(f"onward {args[0]} ran over {timeout} s")
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Run(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss / 1024,
        )
