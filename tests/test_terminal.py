"""Mail and files print as the text they are: no Rich markup, no terminal control codes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.factory import mbox_bytes
from tests.jobmail import REJECTION
from tests.runner import run

# Markup that closes nothing, a link, the window title (OSC 0 ... BEL) and clear screen.
HOSTILE = "[/]a [link=http://evil.example]x[/link] \x1b]0;pwned\x07\x1b[2J\u202eb"
SHOWN = "[/]a [link=http://evil.example]x[/link] ␛]0;pwned␇␛[2J\\u202eb"
# From mail, the parser has already made the control codes spaces (issue 12, item 2); the
# console still shows the bidi override it keeps.
FROM_MAIL = "[/]a [link=http://evil.example]x[/link] ]0;pwned [2J\\u202eb"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colours Rich itself writes when the terminal allows


def hostile_rejection(i: int) -> bytes:
    body = REJECTION.format(role="Data Analyst", company="Acme", recruiter="Dana")
    head = (
        f'From: "Acme {HOSTILE}" <dana.whitfield{i}@acmerobotics.com>\n'
        f"To: Sam Rivera <sam@example.org>\n"
        f"Subject: Your application for Data Analyst at Acme {HOSTILE}\n"
        f"Date: Sun, 01 Mar 2026 10:0{i}:00 +0000\n"
        f"Message-ID: <hostile-{i}@mail.test>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
    )
    return (head + body).encode()


def assert_shown_as_text(done: subprocess.CompletedProcess[str], expect: str = SHOWN) -> None:
    both = done.stdout + done.stderr
    assert done.returncode == 0, both
    assert "Traceback" not in both and "Unexpected error" not in both
    bare = SGR.sub("", both)
    assert "\x1b" not in bare and "\x07" not in bare and "\u202e" not in bare
    assert "evil.example" not in "".join(re.findall(r"\x1b]8;[^\x1b]*", both))
    assert expect in bare.replace("\n", "")


@pytest.fixture
def mbox(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.mbox"
    path.write_bytes(mbox_bytes([hostile_rejection(i) for i in range(2)]))
    return path


@pytest.mark.parametrize("colour", [{}, {"FORCE_COLOR": "1"}])
def test_hostile_subjects_print_literally_in_every_command(
    tmp_path: Path, mbox: Path, colour: dict[str, str]
) -> None:
    home = tmp_path / "home"
    wide = colour | {"COLUMNS": "400"}
    for args in (("classify", str(mbox)), ("classify", "--explain", str(mbox))):
        assert_shown_as_text(run(*args, home=home, env=wide), expect="")
    assert FROM_MAIL in run("classify", "--explain", str(mbox), home=home, env=wide).stdout
    assert run("scan", str(mbox), home=home).returncode == 0
    assert_shown_as_text(run("followup", home=home, env=wide), expect=FROM_MAIL)
    assert_shown_as_text(run("archive", "--dry-run", home=home, env=wide), expect=FROM_MAIL)
    assert_shown_as_text(run("review", home=home, env=wide), expect="")


def test_an_imported_csv_prints_its_cells_literally(tmp_path: Path) -> None:
    csv = tmp_path / "tracker.csv"
    company = HOSTILE.replace("\u202e", "")
    csv.write_text(f'company,role,status\n"{company}",Analyst,applied\n', encoding="utf-8")
    home = tmp_path / "home"
    for colour in ({}, {"FORCE_COLOR": "1"}):
        done = run("import", "--dry-run", str(csv), home=home, env=colour | {"COLUMNS": "400"})
        assert_shown_as_text(done, expect=SHOWN.replace("\\u202e", ""))


def test_an_error_about_a_hostile_path_prints_it_as_text(tmp_path: Path) -> None:
    missing = tmp_path / "[/]x \x1b]0;pwned\x07"
    done = run("scan", str(missing), home=tmp_path / "home", env={"FORCE_COLOR": "1"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    bare = SGR.sub("", done.stderr)
    assert "\x1b" not in bare and "\x07" not in bare and "[/]x " in bare


def test_the_last_resort_handler_prints_its_message_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from onward.cli import root as cli

    monkeypatch.setenv("ONWARD_HOME", str(tmp_path))
    monkeypatch.setattr(os, "umask", lambda _mask: 0o022)  # main()'s 077 stays out of pytest

    def crash() -> None:  # no command fails this way on cue any more: the fault is staged
        raise RuntimeError(HOSTILE)

    monkeypatch.setattr("onward.config.Config.load", crash)
    monkeypatch.setattr("sys.argv", ["onward", "status"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 1
    printed = capsys.readouterr().err.replace("\n", "")
    assert "Unexpected error: RuntimeError: " + SHOWN in printed
