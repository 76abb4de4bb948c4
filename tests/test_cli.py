"""The `onward` command as a person runs it: real subprocesses, a real home folder."""

from __future__ import annotations

import json
import mailbox
import os
import re
import subprocess
import sys
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
    # Many people on a private PostgreSQL (installed wherever the tests run), kept apart.
    assert re.search(r"│ sam\s+│ mail\s+│ files\s+│ 67\s+│ 0\s+│ ok", done.stdout)
    assert "`onward --person noor list`: 4 applications" in done.stdout
    assert "people left: sam." in done.stdout
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


def test_output_cut_short_by_a_pipe_is_no_error(tmp_path: Path) -> None:
    """`onward classify --jsonl … | head -1`: the reader went away, nothing went wrong."""
    from tests.jobmail import inbox
    from tests.runner import SRC

    mbox = tmp_path / "many.mbox"
    mbox.write_bytes(mbox_bytes(inbox(800, 80)[0]))  # more than a pipe holds
    proc = subprocess.Popen(
        [sys.executable, "-m", "onward", "classify", "--jsonl", str(mbox)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"ONWARD_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        | {"PYTHONPATH": str(SRC)},
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert json.loads(proc.stdout.readline())["path"]  # more than a pipe holds is still to come
    proc.stdout.close()
    said = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "error" not in said.lower() and "Traceback" not in said, said


def test_an_account_with_a_wrong_value_can_still_be_listed_fixed_and_removed(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[accounts.bad]\ntype = "imap"\nhost = "mail.example.org"\nport = 993\nuser = "me"\n'
        'security = "tls"\nsmtp_host = "smtp.example.org"\nsmtp_security = "ssl"\n'
    )
    listed = run("account", "list", home=tmp_path)
    assert listed.returncode == 0 and "accounts.bad.smtp_security" in listed.stdout
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    added = run("account", "add", "good", "--path", str(maildir), home=tmp_path)
    assert added.returncode == 0, added.stderr  # one broken account blocks no other
    fixed = run(
        "account", "set", "bad", "--smtp", "smtp.example.org", "--smtp-starttls", home=tmp_path
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "me@mail.example.org:993" in run("account", "list", home=tmp_path).stdout
    config.write_text(config.read_text().replace('"starttls"', '"ssl"'))
    assert run("account", "remove", "bad", home=tmp_path).returncode == 0
    assert "bad" not in run("account", "list", home=tmp_path).stdout


# Run in a fresh interpreter: `onward --help`, then the modules it loaded.
_LOADED = """
import atexit, sys
heavy = ("sqlalchemy", "numpy", "jinja2")
atexit.register(lambda: print("LOADED", *sorted(m for m in heavy if m in sys.modules)))
sys.argv = ["onward", *sys.argv[1:]]
from onward.cli.root import main
main()
"""


def test_help_and_version_start_without_the_database_or_the_model(tmp_path: Path) -> None:
    """SQLAlchemy, numpy and Jinja are most of a command's start-up: only the commands that
    read the database, classify or draft pay for them."""
    src = str(Path(__file__).parent.parent / "src")
    env = {**os.environ, "ONWARD_HOME": str(tmp_path), "PYTHONPATH": src}
    for args in (["--help"], ["--version"], ["scan", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", _LOADED, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip().splitlines()[-1] == "LOADED", (args, done.stdout[-200:])
