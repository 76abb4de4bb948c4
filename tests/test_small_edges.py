"""The small rough edges of a first week (issue 14, item 10), through the real command."""

from __future__ import annotations

from pathlib import Path

from tests.runner import run


def test_serve_on_a_port_that_does_not_exist_says_so_in_a_sentence(tmp_path: Path) -> None:
    done = run("serve", "--port", "80000", home=tmp_path / "home")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: Port 80000 does not exist: give one from 1 to 65535, or 0 for any."
    )
