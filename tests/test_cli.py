"""The `onward` command as a person runs it: real subprocesses, a real home folder."""

from __future__ import annotations

import json
import mailbox
import re
import subprocess
from pathlib import Path

from tests.factory import mbox_bytes, message
from tests.runner import run


def last_json(done: subprocess.CompletedProcess[str]) -> dict[str, int]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_scan_every_kind_of_export_twice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mbox = tmp_path / "takeout.mbox"
    mbox.write_bytes(mbox_bytes([message(i) for i in range(7)]))
    # Other messages in each export: one message found in two exports is stored once.
    md = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for i in range(100, 105):
        md.add(message(i))
    emls = tmp_path / "emls"
    emls.mkdir()
    for i in range(200, 203):
        (emls / f"{i}.eml").write_bytes(message(i))
    for path, n in ((mbox, 7), (tmp_path / "Maildir", 5), (emls, 3)):
        assert last_json(run("scan", str(path), "--json", home=home)) == {
            "scanned": n,
            "new": n,
            "skipped": 0,
            "errors": 0,
        }
        assert last_json(run("scan", str(path), "--json", home=home))["new"] == 0


def test_account_by_path_then_scan_all(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mbox = tmp_path / "mail.mbox"
    mbox.write_bytes(mbox_bytes([message(i) for i in range(4)]))
    done = run("account", "add", "takeout", "--path", str(mbox), home=home)
    assert done.returncode == 0 and "mbox" in done.stdout
    assert "takeout" in run("account", "list", home=home).stdout
    assert last_json(run("scan", "--json", home=home))["new"] == 4


def test_garbage_and_missing_paths(tmp_path: Path) -> None:
    home = tmp_path / "home"
    junk = tmp_path / "junk.mbox"
    junk.write_bytes(b"From x Thu Jan  1 00:00:00 2026\n" + bytes(range(256)) * 400)
    assert last_json(run("scan", str(junk), "--json", home=home))["scanned"] == 1
    done = run("scan", str(tmp_path / "nope"), home=home)
    assert done.returncode == 1
    assert "neither an account nor a file" in done.stderr and "Traceback" not in done.stderr


def test_corrupt_database_is_a_sentence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "onward.db").write_bytes(b"this is not a database" * 100)
    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(mbox_bytes([message(1)]))
    done = run("scan", str(mbox), home=home)
    assert done.returncode == 1
    assert "Could not open the database" in done.stderr and "Traceback" not in done.stderr


def test_demo_runs_in_a_temporary_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = run("demo", home=home)
    assert done.returncode == 0, done.stderr
    assert "Scanned 67 messages: 67 new" in done.stdout
    assert "rejection" in done.stdout and "Brightwave" in done.stdout
    assert "job mail" in done.stdout
    assert "Scanned again: 0 new" in done.stdout
    assert "Feeling angry" in done.stdout and "not a verdict" in done.stdout  # the check-in
    for page in ("Today", "Review", "Applications", "Insights", "Follow-ups", "Check-in"):
        assert re.search(rf"│ {page}\s+│ 200\s+│", done.stdout), page  # the dashboard
    # A watched rejection: the notice, the draft, and the archive that waited until it was read.
    assert (
        "Notified: A reply from Kestrel Labs about Data Platform Analyst. When you are ready, "
        "onward has a minute for you." in done.stdout
    )
    assert "Drafted a follow-up to Kestrel Labs in " in done.stdout
    assert "will be filed into Job search/Rejections once you have read it." in done.stdout
    assert "Filed 1 rejection you have read into Job search/Rejections" in done.stdout
    assert not home.exists()  # the person's own home is never touched


def test_store_knows_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from onward.store.db import HEAD, MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_migrations_upgrade_an_old_database_without_losing_mail(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from onward.store import Store
    from onward.store.db import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text("INSERT INTO emails (source, fingerprint, subject) VALUES ('s', 'f', 'kept')")
        )
    store = Store(url)  # upgrades to the newest
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT subject, link_state FROM emails")).one() == ("kept", "")
