"""Progress reporting: one protocol in onward.progress, for the scan and the archive alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).parent.parent / "src"


def test_the_scan_and_the_archive_share_the_progress_protocol_without_loading_rich() -> None:
    code = (
        "import sys, onward.scan, onward.actions.archive, onward.progress as p\n"
        "assert onward.scan.Progress is onward.actions.archive.Progress is p.Progress\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    env = os.environ | {"PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # rich costs 40 ms: only a bar on a terminal needs it
