"""`onward watch` as a subprocess of the test, with its output read line by line."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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
    sender: str | None = None,
) -> bytes:
    """A message dated now (the watcher announces recent mail only)."""
    msg = EmailMessage()
    msg["From"] = sender or f"{company} <no-reply@greenhouse.io>"
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
                # Quiet hours are local time: the test and the watch must agree on it.
                **({"TZ": os.environ["TZ"]} if "TZ" in os.environ else {}),
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

    def saw_or_waits_for(self, pattern: str, timeout: float = 30) -> str:
        """A line matching `pattern` among those read so far, else the next one: for lines from
        concurrent accounts, which come in either order."""
        seen = [line for line in self.lines if re.search(pattern, line)]
        return seen[0] if seen else self.wait_for(pattern, timeout)

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


class Desktop:
    """A real desktop session for notifications: a D-Bus session bus, Xvfb and the dunst
    notification daemon, with dbus-monitor recording every Notify call."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[subprocess.Popen[bytes]] = []
        bus = subprocess.run(
            ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        self.address, self.bus_pid = bus[0], int(bus[1])
        self.display = f":{_free_display()}"
        self.env = {"DBUS_SESSION_BUS_ADDRESS": self.address, "DISPLAY": self.display}
        self._spawn(["Xvfb", self.display, "-nolisten", "tcp"], "xvfb.log")
        _wait_for(lambda: Path(f"/tmp/.X11-unix/X{self.display[1:]}").exists())
        self._spawn(["dunst"], "dunst.log")
        self.log = root / "monitor.log"
        self._spawn(["dbus-monitor", "interface='org.freedesktop.Notifications'"], "monitor.log")
        _wait_for(lambda: self._owner() != "")

    def _spawn(self, args: list[str], log: str) -> None:
        out = open(self.root / log, "wb")  # noqa: SIM115 (closed with the process)
        self.procs.append(
            subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=_env() | self.env)
        )

    def _owner(self) -> str:
        """The bus name of the notification daemon, once dunst has claimed it."""
        done = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", "org.freedesktop.DBus.GetNameOwner",
             "string:org.freedesktop.Notifications"],
            capture_output=True, text=True, env=_env() | self.env,
        )  # fmt: skip
        return done.stdout.strip()

    def notified(self, at_least: int = 0) -> list[tuple[str, str]]:
        """(summary, body) of every Notify call on the bus so far (waiting a little for
        dbus-monitor to write `at_least` of them)."""
        deadline = time.monotonic() + 5
        while len(seen := self._notified()) < at_least and time.monotonic() < deadline:
            time.sleep(0.05)
        return seen

    def shown(self) -> int:
        """How many notifications dunst has on screen or in its history."""
        total = 0
        for what in ("displayed", "history"):
            done = subprocess.run(
                ["dunstctl", "count", what], capture_output=True, text=True, env=_env() | self.env
            )
            total += int(done.stdout.strip() or 0)
        return total

    def _notified(self) -> list[tuple[str, str]]:
        out, block = [], None
        for line in self.log.read_text(errors="replace").splitlines():
            if "member=Notify" in line:
                block = []
            elif block is not None and line.strip().startswith("string "):
                block.append(line.strip()[len("string ") :].strip('"'))
                if len(block) == 4:  # app name, icon, summary, body
                    out.append((block[2], block[3]))
                    block = None
        return out

    def close(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        import contextlib

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.bus_pid, signal.SIGTERM)


def _env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}


def _free_display() -> int:
    n = 90
    while Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
        n += 1
    return n


def _wait_for(ready: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError("the desktop session did not start")
        time.sleep(0.05)
