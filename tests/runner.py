"""Run the real `onward` command in a subprocess, in a home of the test's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# The checkout under test, not whichever copy the venv has installed (worktrees share a venv).
SRC = Path(__file__).resolve().parent.parent / "src"


def run(
    *args: str, home: Path, timeout: int = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onward", *args],
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
