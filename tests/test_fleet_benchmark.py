"""benchmarks/fleet.py at a CI size: its own PostgreSQL and Dovecot, one worker process, every
round to the end, every message stored once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import dovecot as dv
from tests.postgres import pg_bin

ROOT = Path(__file__).resolve().parent.parent


def test_the_fleet_benchmark_runs_its_three_rounds_and_stores_every_message_once(
    tmp_path: Path,
) -> None:
    if pg_bin() is None or not dv.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL and Dovecot must be installed (.ci/run installs them)")
        pytest.skip("PostgreSQL or Dovecot is not installed (make test installs them)")
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "benchmarks" / "fleet.py"), "--accounts", "4",
            "--messages", "3", "--new", "1", "--workers", "1", "--concurrency", "2",
            "--idle", "1", "--timeout", "120", "--dir", str(tmp_path / "mail"),
            "--json", str(figures),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"stored after the first sync: 12 emails;", done.stdout), done.stdout
    [run] = json.loads(figures.read_text())
    assert [r["name"] for r in run["rounds"]] == ["first", "incremental", "nothing new"]
    assert [r["messages"] for r in run["rounds"]] == [12, 4, 0]
    assert all(r["failures"] == 0 for r in run["rounds"])
