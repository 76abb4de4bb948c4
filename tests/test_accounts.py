"""Accounts: one mailbox counted once, changes that keep what was set, missing folders."""

from __future__ import annotations

import json
import mailbox
import subprocess
import tomllib
from pathlib import Path

from sqlalchemy import select

from onward.accounts import account_source
from onward.classify.service import classifier_for
from onward.config import parse_account
from onward.scan import Scanner
from onward.store import Store
from onward.store.schema import applications, emails, events, locations
from onward.tracker.repo import Tracker
from tests.dovecot import PASSWORD, Dovecot, new_user
from tests.jobmail import other, rejection
from tests.runner import run
from tests.test_imap import add_account


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def config_of(home: Path) -> dict:
    return tomllib.loads((home / "config.toml").read_text())


def export(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for raw in messages:
        box.add(raw)
    box.close()
    return path


# --- item 4: an existing name is never silently replaced -------------------------------------


def test_adding_an_account_under_a_name_in_use_is_refused_without_replace(
    home: Path, tmp_path: Path
) -> None:
    first = export(tmp_path / "a.mbox", [other(1)])
    second = export(tmp_path / "b.mbox", [other(2)])
    ok(run("account", "add", "box", "--path", str(first), "--address", "sam@x.org", home=home))
    done = run("account", "add", "box", "--path", str(second), home=home)
    assert done.returncode == 1
    assert "already exists" in done.stderr and "account set box" in done.stderr
    assert "Traceback" not in done.stderr
    assert config_of(home)["accounts"]["box"]["address"] == "sam@x.org"
    ok(run("account", "add", "box", "--path", str(second), "--replace", home=home))
    acc = config_of(home)["accounts"]["box"]
    assert acc["path"] == str(second.resolve()) and "address" not in acc


def test_account_set_changes_only_the_options_given(dovecot: Dovecot, home: Path) -> None:
    user = new_user()
    dovecot.seed(user, [other(1)])
    add_account(home, dovecot, user, "--address", "sam@x.org", "--your-name", "Sam")
    before = config_of(home)["accounts"]["work"]
    done = ok(
        run("account", "set", "work", "--smtp", "smtp.x.org:587", "--smtp-starttls", home=home)
    )
    assert "smtp_host" in done.stdout
    after = config_of(home)["accounts"]["work"]
    assert after == before | {
        "smtp_host": "smtp.x.org",
        "smtp_port": 587,
        "smtp_security": "starttls",
    }
    ok(run("account", "set", "work", "--your-name", "Sam Rivera", home=home))
    assert config_of(home)["accounts"]["work"]["name"] == "Sam Rivera"
    assert config_of(home)["accounts"]["work"]["password_command"] == before["password_command"]
    missing = run("account", "set", "nope", "--address", "a@b.c", home=home)
    assert missing.returncode == 1 and "No account named 'nope'" in missing.stderr


def test_followup_send_without_smtp_points_at_account_set(home: Path, tmp_path: Path) -> None:
    import pytest

    from onward.actions.followup import smtp_settings
    from onward.config import Config
    from onward.mail.outbox import DraftError

    ok(run("account", "add", "box", "--path", str(export(tmp_path / "a.mbox", [])), home=home))
    with pytest.raises(DraftError, match=r"onward account set box --smtp HOST\[:PORT\]"):
        smtp_settings(Config.load(), "box")
    # And what it says works, on an export account too.
    ok(run("account", "set", "box", "--smtp", "smtp.x.org", home=home))
    assert config_of(home)["accounts"]["box"]["smtp_host"] == "smtp.x.org"


# --- item 3: one mailbox, one message ------------------------------------------------------


def test_a_second_account_for_the_same_server_and_user_is_refused(
    dovecot: Dovecot, home: Path, tmp_path: Path
) -> None:
    user = new_user()
    add_account(home, dovecot, user)
    done = run(
        "account",
        "add",
        "mail2",
        "--imap",
        f"127.0.0.1:{dovecot.port}",
        "--user",
        user,
        "--starttls",
        home=home,
    )
    assert done.returncode == 1
    assert "Account 'work' already reads this mailbox" in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # one sentence (the console may wrap it)
    assert set(config_of(home)["accounts"]) == {"work"}
    # Host names differ only in case: the same server.
    ok(
        run(
            "account",
            "add",
            "upper",
            "--imap",
            f"Mail.Example.org:{dovecot.port}",
            "--user",
            user,
            "--starttls",
            home=home,
        )
    )
    again = run(
        "account",
        "add",
        "lower",
        "--imap",
        f"mail.example.ORG:{dovecot.port}",
        "--user",
        user,
        "--starttls",
        home=home,
    )
    assert again.returncode == 1 and "'upper'" in again.stderr
    # Another user on the same server is another mailbox.
    ok(
        run(
            "account",
            "add",
            "other",
            "--imap",
            f"127.0.0.1:{dovecot.port}",
            "--user",
            new_user(),
            "--starttls",
            home=home,
        )
    )
    # The same file under another spelling of its path.
    box = export(tmp_path / "x.mbox", [other(1)])
    ok(run("account", "add", "takeout", "--path", str(box), home=home))
    twin = run("account", "add", "takeout2", "--path", f"{tmp_path}/./x.mbox", home=home)
    assert twin.returncode == 1 and "Account 'takeout' already reads this mail" in twin.stderr


def test_a_message_arriving_through_two_sources_is_stored_once(
    dovecot: Dovecot, db_url: str, tmp_path: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [rejection(i) for i in range(6)] + [other(i) for i in range(6, 10)])
    store = Store(db_url)
    first = Scanner(store).run(account_source(parse_account("work", dovecot.account(user)))[0])
    assert first.new == 10
    # The same mailbox under another name, and an export holding part of it plus one more.
    second = Scanner(store).run(account_source(parse_account("mail2", dovecot.account(user)))[0])
    assert (second.scanned, second.new, second.skipped) == (10, 0, 10)
    box = export(tmp_path / "t.mbox", [rejection(i) for i in range(3)] + [other(42)])
    third = Scanner(store).run(account_source(parse_account("takeout", {"path": str(box)}))[0])
    assert (third.new, third.skipped) == (1, 3)
    assert store.count_emails() == 11
    with store.engine.connect() as conn:
        places = conn.execute(select(locations.c.source, locations.c.email_id)).all()
    assert {p.source for p in places} == {"work", "mail2", "takeout"}
    assert len(places) == 10 + 10 + 4  # every place is remembered, each pointing at one email
    assert len({p.email_id for p in places}) == 11


def _scan(store: Store, name: str, account: dict) -> None:
    summary = Scanner(store, classifier=classifier_for(store)).run(
        account_source(parse_account(name, account))[0]
    )
    assert not summary.failed, summary.problems
    Tracker(store).link_pending()


def test_removing_an_account_removes_only_what_it_brought(dovecot: Dovecot, db_url: str) -> None:
    a, b = new_user(), new_user()
    shared = [rejection(i) for i in range(4)] + [other(i) for i in range(4, 8)]
    only_b = [rejection(i, human=True) for i in range(20, 23)] + [other(i) for i in range(23, 25)]
    dovecot.seed(a, shared)
    dovecot.seed(b, shared + only_b)
    store = Store(db_url)
    _scan(store, "b", dovecot.account(b))  # b stores the shared mail first
    _scan(store, "a", dovecot.account(a))
    tracker = Tracker(store)
    hand = tracker.save("Handmade Studio", "Illustrator", note="met at a fair")
    called = tracker.reject("Kestrel Labs", via="phone", note="they called")
    with store.engine.connect() as conn:
        apps_before = conn.execute(select(applications.c.id)).all()
        linked_before = conn.execute(select(events.c.id).where(events.c.via == "email")).all()
    assert store.count_emails() == 13 and linked_before

    from onward.store.forget import forget_source

    gone = forget_source(store, "b")

    assert gone.emails == 5
    assert store.count_emails() == 8
    with store.engine.connect() as conn:
        assert {r[0] for r in conn.execute(select(emails.c.source).distinct())} == {"a"}
        assert {r[0] for r in conn.execute(select(locations.c.source).distinct())} == {"a"}
        ids = {r[0] for r in conn.execute(select(emails.c.id))}
        dangling = conn.execute(
            select(events.c.id).where(events.c.via == "email", events.c.email_id.is_(None))
        ).all()
        left = {r.id: r for r in conn.execute(select(applications)).all()}
        empty = [
            i
            for i, app in left.items()
            if app.source == "email"
            and not conn.execute(select(events.c.id).where(events.c.application_id == i)).all()
        ]
        linked = {
            r[0] for r in conn.execute(select(events.c.email_id).where(events.c.via == "email"))
        }
    assert not dangling and linked <= ids
    assert not empty  # no application is left standing on mail that is gone
    assert hand in left and called in left  # what the person entered stays
    assert len(left) < len(apps_before)
    assert gone.applications == len(apps_before) - len(left)
    assert "5 emails" in gone.sentence("b")


def test_account_remove_says_what_went(dovecot: Dovecot, home: Path, tmp_path: Path) -> None:
    user = new_user()
    dovecot.seed(user, [rejection(i) for i in range(3)])
    add_account(home, dovecot, user)
    box = export(tmp_path / "t.mbox", [rejection(0), other(50), other(51)])
    ok(run("account", "add", "takeout", "--path", str(box), home=home))
    ok(run("scan", "--json", home=home))
    done = ok(run("account", "remove", "takeout", home=home))
    assert "Removed takeout and what only it brought: 2 emails" in done.stdout
    assert json.loads(ok(run("scan", "--json", home=home)).stdout.splitlines()[-1])["new"] == 0


# --- item 6: a missing folder does not stop the account -------------------------------------


def test_a_missing_folder_is_reported_and_the_others_are_scanned(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [other(i) for i in range(5)])
    dovecot.seed(user, [other(i) for i in range(5, 7)], folder="Jobs")
    add_account(home, dovecot, user, "--folder", "INBOX", "--folder", "Jobz")
    done = run("scan", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "scanned": 5,
        "new": 5,
        "skipped": 0,
        "errors": 1,
    }
    assert "No folder named 'Jobz'" in done.stderr
    assert "Traceback" not in done.stderr


def test_account_add_warns_about_missing_folders_and_names_similar_ones(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [other(1)], folder="Jobs")
    done = run(
        "account", "add", "work", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user,
        "--starttls", "--ca-file", dovecot.cafile, "--password-command", "echo wrong-or-right",
        "--folder", "INBOX", "--folder", "Jobz", home=home,
    )  # fmt: skip
    assert done.returncode == 0
    # The password is wrong here: it cannot connect, so it stays quiet and still adds.
    assert "Jobz" not in done.stderr
    ok(run("account", "remove", "work", home=home))
    added = run(
        "account", "add", "work", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user,
        "--starttls", "--ca-file", dovecot.cafile, "--password-command", f"echo {PASSWORD}",
        "--folder", "INBOX", "--folder", "Jobz", home=home,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    text = " ".join(added.stderr.split())
    assert "no folder named 'Jobz'" in text and "similar: 'Jobs'" in text
    assert "INBOX" not in text
    warned = ok(run("account", "set", "work", "--folder", "Jobz", home=home))
    assert "no folder named 'Jobz'" in warned.stderr
