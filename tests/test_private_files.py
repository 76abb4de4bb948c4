"""Everything onward keeps is the person's own: 0600 files and 0700 folders, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factory import mbox_bytes
from tests.jobmail import rejection
from tests.runner import run
from tests.test_archive import ok


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default; subprocesses inherit it
    yield
    os.umask(old)


def readable_by_others(*roots: Path) -> list[str]:
    found = []
    for root in roots:
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            mode = path.lstat().st_mode
            if stat.S_IMODE(mode) & 0o077:
                found.append(f"{path.relative_to(root.parent)} {stat.S_IMODE(mode):o}")
    return found


def test_database_drafts_and_the_archive_mbox_are_private_under_umask_022(
    tmp_path: Path, umask_022: None
) -> None:
    home = tmp_path / "home"
    mbox = tmp_path / "takeout.mbox"
    mbox.write_bytes(mbox_bytes([rejection(i, human=True) for i in range(3)]))
    ok(
        run(
            "account",
            "add",
            "takeout",
            "--path",
            str(mbox),
            "--address",
            "sam@example.org",
            home=home,
        )
    )
    ok(run("scan", home=home))
    ok(run("followup", "--email", "1", home=home))
    archive = tmp_path / "kept" / "rejections.mbox"
    ok(run("archive", "--to-mbox", str(archive), "--no-followup", home=home))
    assert archive.stat().st_size > 0 and list((home / "drafts").iterdir())
    assert {p.name for p in home.iterdir()} >= {"onward.db", "drafts", "config.toml"}
    assert readable_by_others(home, archive) == []


def test_an_older_install_left_readable_is_made_private_on_the_next_run(
    tmp_path: Path, umask_022: None
) -> None:
    home = tmp_path / "home"
    mbox = tmp_path / "takeout.mbox"
    mbox.write_bytes(mbox_bytes([rejection(1, human=True)]))
    ok(run("scan", str(mbox), home=home))
    (home / "drafts").mkdir()
    (home / "drafts" / "old.eml").write_bytes(b"Subject: hi\n\nmy words\n")
    for path in [home, *home.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    outside = tmp_path / "not-onwards.txt"
    outside.write_text("left alone")
    ok(run("status", home=home))
    assert readable_by_others(home) == []
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


def test_the_write_ahead_log_of_a_running_dashboard_is_private(
    tmp_path: Path, umask_022: None
) -> None:
    import subprocess
    import sys
    import time

    from tests.runner import SRC

    home = tmp_path / "home"
    mbox = tmp_path / "takeout.mbox"
    mbox.write_bytes(mbox_bytes([rejection(1)]))
    ok(run("scan", str(mbox), home=home))
    env = {
        "ONWARD_HOME": str(home),
        "HOME": str(home),
        "PYTHONPATH": str(SRC),
        "PATH": "/usr/bin:/bin",
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "onward", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert serve.stdout is not None and "dashboard" in serve.stdout.readline()
        deadline = time.monotonic() + 30
        while not (home / "onward.db-shm").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (home / "onward.db-wal").exists() and (home / "onward.db-shm").exists()
        assert readable_by_others(home) == []
    finally:
        serve.terminate()
        serve.wait(timeout=30)
