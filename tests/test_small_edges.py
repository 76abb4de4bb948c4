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


def test_batches_shows_an_undo_moving_mail_out_of_the_archive(tmp_path: Path) -> None:
    import mailbox

    from tests.jobmail import other, rejection

    home = tmp_path / "home"
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(4):
        md.add(rejection(i) if i % 2 else other(i))
    for args in (("scan", str(tmp_path / "Mail")), ("archive",), ("undo",)):
        assert run(*args, home=home).returncode == 0
    lines = run("batches", home=home).stdout.splitlines()
    undo, archive = lines[0], lines[1]
    assert "undo of 1" in undo and undo.endswith("2/2 moved  Job search.Rejections → INBOX")
    assert archive.endswith("2/2 moved  → Job search.Rejections")


def test_the_demo_points_at_the_persons_own_feelings_file_not_its_deleted_home(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    done = run("demo", home=home)
    assert done.returncode == 0, done.stderr
    (hint,) = [line for line in done.stdout.splitlines() if "feelings.toml" in line]
    assert f"{home}/feelings.toml" in hint and "onward-demo-" not in hint
    assert not home.exists()  # named, not written


def test_status_counts_what_list_shows_and_says_which_were_sent(tmp_path: Path) -> None:
    import json

    home = tmp_path / "home"
    for args in (
        ("save", "Globex", "BI Analyst"),
        ("apply", "Acme Robotics", "Data Analyst"),
        ("reject", "Initech", "Analyst", "--via", "phone"),
    ):
        assert run(*args, home=home).returncode == 0
    listed = json.loads(run("list", "--json", home=home).stdout)
    figures = json.loads(run("status", "--json", home=home).stdout)
    assert len(listed) == figures["tracked"] == 3 and figures["total_applications"] == 1
    said = run("status", home=home).stdout
    assert said.startswith("3 in your list: 1 active (1 applied); 1 saved, 1 rejected, 0 gone")


def test_the_check_in_says_how_a_no_came_in_plain_words() -> None:
    from datetime import datetime

    from onward.cli.checkin import _about

    at = datetime(2026, 11, 3)
    said = {
        via: _about({"company": "Globex", "role": "", "at": at, "via": via})
        for via in ("in-person", "phone", "email")
    }
    assert said == {
        "in-person": "Globex, 03 Nov in person",
        "phone": "Globex, 03 Nov by phone",
        "email": "Globex, 03 Nov",
    }


def test_version_and_h_as_short_for_help(tmp_path: Path) -> None:
    from onward import __version__

    home = tmp_path / "home"
    version = run("--version", home=home)
    assert version.returncode == 0 and version.stdout.strip() == f"onward {__version__}"
    assert run("-h", home=home).stdout == run("--help", home=home).stdout
    for args in (("scan", "-h"), ("account", "add", "-h")):
        done = run(*args, home=home)
        assert done.returncode == 0 and "Usage:" in done.stdout, args


def test_help_shows_flags_without_a_bool_value(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for args in (("--help",), ("archive", "--help"), ("status", "-h")):
        done = run(*args, home=home)
        assert done.returncode == 0 and "<bool>" not in done.stdout, args
    assert (
        "<float>" in run("archive", "--help", home=home).stdout
    )  # options that take values keep it
