"""`onward watch` as a subprocess of the test, with its output read line by line."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from tests.runner import SRC

REJECTION = (
    "Hi Sam,\n\nThank you for your interest in the {role} position at {company} and for the "
    "time you invested in our process. After careful consideration, we have decided to move "
    "forward with other candidates whose experience more closely matches our needs.\n\n"
    "We wish you the best of luck in your job search.\n\nBest regards,\nDana Whitfield\n"
    "Talent Acquisition, {company}\n"
)
INTERVIEW = (
    "Hi Sam,\n\nThank you for applying for the {role} role at {company}. We were impressed by "
    "your background and would like to invite you to an interview with our hiring manager. "
    "Please use the link below to pick a time that suits you for a 45-minute video call.\n\n"
    "Best,\nLee Okafor\nRecruiting, {company}\n"
)


def job_mail(
    company: str = "Kestrel Labs",
    role: str = "Analytics Engineer",
    body: str = REJECTION,
    n: int = 0,
) -> bytes:
    """A message dated now (the watcher announces recent mail only)."""
    msg = EmailMessage()
    msg["From"] = f"{company} <no-reply@greenhouse.io>"
    msg["To"] = "Sam Rivera <sam@example.org>"
    kind = "application" if body is REJECTION else "interview"
    msg["Subject"] = f"Your {kind} for {role} at {company}" + (f" ({n})" if n else "")
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="watch.test")
    msg.set_content(body.format(company=company, role=role))
    return msg.as_bytes()


class Watch:
    """A running `onward watch`; its lines arrive in `lines` as it prints them."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "onward", "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={
                "ONWARD_HOME": str(home),
                "HOME": str(home),
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(SRC),
                "COLUMNS": "200",
            }
            | (env or {}),
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._q.put(line.rstrip("\n"))
        self._q.put(None)

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """The next line matching `pattern` (lines before it are kept in `lines`)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._q.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        # Whatever it printed to the end.
        while True:
            try:
                line = self._q.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop(signal.SIGKILL if exc[0] else signal.SIGTERM)
