"""The config file parsed into typed settings: a wrong value is refused in one sentence that
names its key, and what `onward account add` writes reads back as the same account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onward import accounts
from onward.config import Config, ConfigError, Paths, parse_account
from tests.runner import run
from tests.test_accounts import config_of, ok


def config(home: Path, data: dict[str, Any]) -> Config:
    return Config(Paths(home, home), data)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"type": "imap", "host": "h", "port": "nine"}, "accounts.work.port must be a number."),
        ({"type": "imap", "host": "h", "port": True}, "accounts.work.port must be a number."),
        ({"type": "imap", "host": 5}, "accounts.work.host must be text."),
        ({"type": "imap", "folders": 3}, "accounts.work.folders must be a list of text."),
        ({"path": "/x", "smtp_port": 70000}, "accounts.work.smtp_port must be a number."),
        (
            {"path": "/x", "smtp_security": "ssl"},
            "accounts.work.smtp_security must be 'tls' or 'starttls'.",
        ),
        ({"path": "/x", "timeout": "slow"}, "accounts.work.timeout must be a number."),
    ],
)
def test_a_wrong_account_value_is_refused_naming_its_key(
    tmp_path: Path, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        config(tmp_path, {"accounts": {"work": table}}).account("work")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("data", "read", "message"),
    [
        (
            {"archive": {"min_confidence": "high"}},
            "archive",
            "archive.min_confidence must be a number.",
        ),
        ({"archive": {"folder": ["A"]}}, "archive", "archive.folder must be text."),
        (
            {"followup": {"before_archive": "always"}},
            "followup",
            "followup.before_archive must be 'ask' or 'draft' or 'skip'.",
        ),
        (
            {"followup": {"recontact_days": 1.5}},
            "followup",
            "followup.recontact_days must be a whole number.",
        ),
        ({"checkin": {"prompt": "no"}}, "checkin", "checkin.prompt must be true or false."),
        ({"checkin": []}, "checkin", "checkin in the config must be a table of settings."),
        (
            {"watch": {"archive_delay_minutes": "5m"}},
            "watch",
            "watch.archive_delay_minutes must be a number.",
        ),
        ({"watch": {"apprise_urls": [1]}}, "watch", "watch.apprise_urls must be a list of text."),
    ],
)
def test_a_wrong_setting_is_refused_naming_its_key(
    tmp_path: Path, data: dict[str, Any], read: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        getattr(config(tmp_path, data), read)
    assert str(refused.value) == message


def test_settings_left_out_take_their_defaults(tmp_path: Path) -> None:
    c = config(tmp_path, {})
    assert (c.archive.folder, c.archive.min_confidence) == (None, None)
    assert (c.followup.before_archive, c.checkin.prompt, c.checkin.quiet_hours) == ("ask", True, "")
    assert (c.watch.archive, c.watch.notify, c.watch.quiet_hours) == (False, True, None)
    assert c.accounts == {} and c.find_account("work") is None


def test_an_older_config_with_the_port_as_text_still_reads(tmp_path: Path) -> None:
    table = {"type": "imap", "host": "mail.example.org", "port": "993", "user": "sam"}
    assert parse_account("work", table).port == 993


def test_a_wrong_value_is_refused_before_account_set_writes_it(tmp_path: Path) -> None:
    c = config(tmp_path, {"accounts": {"box": {"type": "mbox", "path": "/x.mbox"}}})
    with pytest.raises(ConfigError) as refused:
        accounts.update(c, "box", {"smtp_security": "ssl"})
    assert str(refused.value) == "accounts.box.smtp_security must be 'tls' or 'starttls'."
    assert not c.paths.config_file.exists()


def test_an_imap_account_as_added_reads_back_typed(home: Path) -> None:
    ok(
        run(
            "account",
            "add",
            "work",
            "--imap",
            "mail.example.org",
            "--user",
            "sam@example.org",
            "--password-command",
            "echo x",
            "--folder",
            "INBOX",
            "--folder",
            "Jobs",
            "--smtp",
            "smtp.example.org",
            "--address",
            "sam@example.org",
            "--your-name",
            "Sam",
            home=home,
        )
    )
    written = config_of(home)["accounts"]["work"]
    account = Config.load(Paths(home, home)).account("work")
    assert written["port"] == 993 and written["smtp_port"] == 465  # the file is as before
    assert (account.kind, account.host, account.port, account.user) == (
        "imap",
        "mail.example.org",
        993,
        "sam@example.org",
    )
    assert account.folders == ["INBOX", "Jobs"] and account.password_command == "echo x"
    assert (account.sending.smtp_host, account.sending.smtp_port, account.sending.name) == (
        "smtp.example.org",
        465,
        "Sam",
    )


def test_a_config_with_a_wrong_port_fails_the_scan_in_one_sentence(home: Path) -> None:
    home.mkdir(exist_ok=True)
    home.joinpath("config.toml").write_text(
        '[accounts.work]\ntype = "imap"\nhost = "127.0.0.1"\nport = "nine"\nuser = "sam"\n'
    )
    done = run("scan", home=home)
    assert done.returncode == 1
    assert "accounts.work.port must be a number." in done.stderr
    assert "Traceback" not in done.stderr
