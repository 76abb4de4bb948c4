"""`onward watch` as a login service: a systemd user unit on Linux, a launchd agent on macOS
(written and documented; only the systemd one is tested here), and `--status` from the
state file."""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from onward.watch import state as st

UNIT = "onward-watch.service"
AGENT = "org.onward.watch"
NOTHING_LEFT = 3  # every account refused its login: restarting would not help


def _quoted(arg: str) -> str:
    """One ExecStart word, quoted the way systemd reads it."""
    if arg and all(c.isalnum() or c in "/._-+:=@%," for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_text(python: str, onward_home: str | None) -> str:
    env = f"Environment={_quoted('ONWARD_HOME=' + onward_home)}\n" if onward_home else ""
    return (
        "[Unit]\n"
        "Description=onward: be there when job mail lands (onward watch)\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={_quoted(python)} -m onward watch\n"
        f"{env}"
        "Restart=on-failure\n"
        "RestartSec=30\n"
        # A refused login stays refused: starting again would only knock on the door.
        f"RestartPreventExitStatus={NOTHING_LEFT}\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def agent_plist(python: str, onward_home: str | None, log_dir: Path) -> bytes:
    data: dict[str, Any] = {
        "Label": AGENT,
        "ProgramArguments": [python, "-m", "onward", "watch"],
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(log_dir / "watch.log"),
        "StandardErrorPath": str(log_dir / "watch.log"),
    }
    if onward_home:
        data["EnvironmentVariables"] = {"ONWARD_HOME": onward_home}
    return plistlib.dumps(data)


def unit_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user" / UNIT


def agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{AGENT}.plist"


def _user_systemd() -> bool:
    """Whether a systemd user manager runs for this user (not in containers, CI, SSH-less boxes)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    return (Path(runtime) / "systemd" / "private").exists()


def install(data_dir: Path) -> list[str]:
    """Write the service and start it where a service manager runs; what to tell the person."""
    home = os.environ.get("ONWARD_HOME")
    if sys.platform == "darwin":
        path = agent_path()
        _write(path, agent_plist(sys.executable, home, data_dir))
        return [
            f"Wrote {path}.",
            f"Start it now and at every login with: launchctl load -w {path}",
        ]
    path = unit_path()
    _write(path, unit_text(sys.executable, home).encode())
    start = f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT}"
    if _user_systemd():
        subprocess.run(["systemctl", "--user", "daemon-reload"], check=False)
        done = subprocess.run(["systemctl", "--user", "enable", "--now", UNIT], check=False)
        if done.returncode == 0:
            return [f"Wrote {path}; onward watch runs now and at every login."]
    return [
        f"Wrote {path}.",
        f"Start it now and at every login with: {start}",
    ]


def uninstall() -> list[str]:
    path = agent_path() if sys.platform == "darwin" else unit_path()
    if not path.exists():
        return [f"Nothing to remove: {path} does not exist."]
    if sys.platform != "darwin" and _user_systemd():
        subprocess.run(["systemctl", "--user", "disable", "--now", UNIT], check=False)
    elif sys.platform == "darwin":
        subprocess.run(["launchctl", "unload", "-w", str(path)], check=False)
    path.unlink()
    if sys.platform != "darwin" and _user_systemd():
        subprocess.run(["systemctl", "--user", "daemon-reload"], check=False)
    return [f"Removed {path}; onward watch no longer starts at login."]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _when(iso: object) -> str:
    try:
        return f"{datetime.fromisoformat(str(iso)).astimezone():%Y-%m-%d %H:%M}"
    except ValueError:
        return str(iso)


def status(data_dir: Path) -> list[str]:
    """Whether the watch runs, since when, its accounts, the last thing it did, the service."""
    data = st.read(data_dir)
    lines: list[str] = []
    if data is None:
        lines.append("onward watch has not run yet.")
    else:
        running = data.get("stopped_at") is None and _alive(data.get("pid"))
        if running:
            lines.append(
                f"onward watch is running (pid {data['pid']}) since {_when(data['started_at'])}."
            )
        elif data.get("stopped_at"):
            lines.append(f"onward watch is not running; it stopped at {_when(data['stopped_at'])}.")
        else:
            lines.append("onward watch is not running; it ended without stopping cleanly.")
        accounts = data.get("accounts") or {}
        if accounts:
            lines.append(
                "Accounts: " + ", ".join(f"{a} ({s})" for a, s in sorted(accounts.items())) + "."
            )
        last = data.get("last") or {}
        if last:
            lines.append(f"Last, at {_when(last.get('at'))}: {last.get('what', '')}")
    path = agent_path() if sys.platform == "darwin" else unit_path()
    if path.exists():
        lines.append(f"It starts at login ({path}).")
    else:
        lines.append("It does not start at login: `onward watch --install` sets that up.")
    return lines
