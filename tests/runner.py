"""Run the real `onward` command in a subprocess, in a home of the test's own."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# The checkout under test, not whichever copy the venv has installed (worktrees share a venv).
SRC = Path(__file__).resolve().parent.parent / "src"


def run(
    *args: str,
    home: Path,
    timeout: int = 300,
    env: dict[str, str] | None = None,
    input: str | None = None,  # noqa: A002 (subprocess.run's own name)
) -> subprocess.CompletedProcess[str]:
    """`input` is what the person types at the prompts (stdin is a pipe, not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "onward", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={
            "ONWARD_HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "PYTHONPATH": str(SRC),
        }
        | (env or {}),
    )


def at_terminal(
    args: list[str],
    home: Path,
    answers: Sequence[str | tuple[str, str]] = (),
    typed_ahead: str = "",
    columns: int = 120,
    timeout: float = 60,
) -> tuple[int, str]:
    """`onward ARGS` on a pseudo-terminal, as a person at a terminal runs it; its exit code and
    what it showed. Each answer is typed once a prompt (a line ending in ":") shows; a
    (prompt, answer) pair waits for that prompt's words. `typed_ahead` is in the terminal
    before onward starts, as keys pressed early are."""
    master, slave = os.openpty()
    os.write(master, typed_ahead.encode())
    proc = subprocess.Popen(
        [sys.executable, "-m", "onward", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={
            "ONWARD_HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "TERM": "dumb",
            "COLUMNS": str(columns),
            "PYTHONPATH": str(SRC),
        },
        close_fds=True,
    )
    os.close(slave)
    said, seen = b"", 0
    pending = [a if isinstance(a, tuple) else ("", a) for a in answers]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break  # the child closed the terminal
            if not chunk:
                break
            said += chunk
            if pending and said.rstrip().endswith(b":"):
                found = said.find(pending[0][0].encode(), seen)
                if found >= 0:
                    seen = found + 1
                    os.write(master, pending.pop(0)[1].encode() + b"\n")
        elif proc.poll() is not None:
            break
    else:
        proc.kill()
    code = proc.wait(10)
    os.close(master)
    return code, said.decode(errors="replace").replace("\r\n", "\n")
