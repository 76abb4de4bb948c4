"""`onward watch --install / --uninstall / --status`: the systemd user unit and the state file.

No running systemd is needed: the unit's text is checked, and --status reads the state file
a real `onward watch` keeps."""

from __future__ import annotations

import configparser
import plistlib
import sys
from pathlib import Path

from onward.watch.service import agent_plist, unit_text
from tests.dovecot import Dovecot, new_user
from tests.runner import run
from tests.test_watch import FAST, add_account, append, configure
from tests.watching import Watch, job_mail


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text())
    return unit


def test_install_writes_a_user_unit_that_starts_at_login_and_restarts_on_failure(
    home: Path,
) -> None:
    done = run("watch", "--install", home=home)
    assert done.returncode == 0, done.stderr
    path = home / ".config" / "systemd" / "user" / "onward-watch.service"
    assert done.stdout.splitlines() == [
        f"Wrote {path}.",
        "Start it now and at every login with: systemctl --user daemon-reload && "
        "systemctl --user enable --now onward-watch.service",
    ]
    unit = read_unit(path)
    assert unit["Service"]["ExecStart"] == f"{sys.executable} -m onward watch"
    assert unit["Service"]["Environment"] == f"ONWARD_HOME={home}"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["RestartPreventExitStatus"] == "3"  # a refused login: no retry loop
    assert unit["Install"]["WantedBy"] == "default.target"

    status = run("watch", "--status", home=home)
    assert status.stdout.splitlines() == [
        "onward watch has not run yet.",
        f"It starts at login ({path}).",
    ]
    gone = run("watch", "--uninstall", home=home)
    assert gone.stdout.strip() == f"Removed {path}; onward watch no longer starts at login."
    assert not path.exists()
    again = run("watch", "--uninstall", home=home)
    assert again.stdout.strip() == f"Nothing to remove: {path} does not exist."


def test_the_unit_quotes_a_python_path_with_spaces_as_systemd_reads_it() -> None:
    text = unit_text("/home/sam/my tools/python", "/home/sam/on ward")
    assert 'ExecStart="/home/sam/my tools/python" -m onward watch\n' in text
    assert 'Environment="ONWARD_HOME=/home/sam/on ward"\n' in text


def test_the_launchd_agent_runs_at_load_and_is_kept_alive_after_a_failure(tmp_path: Path) -> None:
    agent = plistlib.loads(agent_plist("/usr/bin/python3", None, tmp_path))
    assert agent["ProgramArguments"] == ["/usr/bin/python3", "-m", "onward", "watch"]
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}


def test_status_says_whether_it_runs_since_when_and_the_last_thing_it_did(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    add_account(home, dovecot, "work", user)
    configure(home, watch=FAST | {"notify": False})
    with Watch(home) as w:
        w.wait_for(r"waiting for mail")
        append(dovecot, user, job_mail())
        w.wait_for(r"Notified: A reply from Kestrel Labs")
        lines = run("watch", "--status", home=home).stdout.splitlines()
        assert lines[0].startswith(f"onward watch is running (pid {w.proc.pid}) since ")
        assert lines[1] == "Accounts: work (idle)."
        assert lines[2].startswith("Last, at ")
        assert lines[2].endswith(
            ": Notified: A reply from Kestrel Labs about Analytics Engineer. When you are "
            "ready, onward has a minute for you."
        )
        assert lines[3] == "It does not start at login: `onward watch --install` sets that up."
    lines = run("watch", "--status", home=home).stdout.splitlines()
    assert lines[0].startswith("onward watch is not running; it stopped at ")
    assert lines[1] == "Accounts: work (stopped)."
    assert lines[2].endswith(": Stopped watching.")
