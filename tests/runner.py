"""Run the real `onward` command in a subprocess, in a home of the test's own."""

from __future__ import annotations

import subprocess
import sys
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
