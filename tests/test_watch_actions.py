"""What `onward watch` does when mail lands: notifications on a real desktop bus and through
apprise, quiet hours, the follow-up draft and the archive that waits until the mail is read."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from onward.watch.notices import Notice, Outbox, notice_for
from tests.dovecot import Dovecot, new_user
from tests.runner import run
from tests.test_watch import FAST, add_account, append, configure, stored
from tests.watching import INTERVIEW, Desktop, Watch, job_mail

ARCHIVE = "Job search/Rejections"
KESTREL = "A reply from Kestrel Labs about Analytics Engineer. When you are ready, onward has a minute for you."


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    missing = [t for t in ("dbus-daemon", "dbus-monitor", "Xvfb", "dunst") if not shutil.which(t)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: .ci/run must install dbus, xvfb and dunst")
        pytest.skip(f"{', '.join(missing)} not installed (make test installs them)")
    d = Desktop(tmp_path)
    yield d
    d.close()


def folder_subjects(server: Dovecot, user: str, folder: str) -> list[str]:
    c = server.client(user)
    try:
        if not c.folder_exists(folder):
            return []
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        data = c.fetch(uids, [b"BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]) if uids else {}
        return [
            v[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().split(":", 1)[1].strip()
            for v in data.values()
        ]
    finally:
        c.logout()


def quiet_now() -> str:
    """Quiet hours around this moment, as local time the subprocess also reads."""
    now = datetime.now().astimezone()
    return f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"


def test_a_rejection_notifies_the_desktop_with_sender_company_and_role_only(
    dovecot: Dovecot, home: Path, desktop: Desktop
) -> None:
    user = new_user()
    add_account(home, dovecot, "work", user)
    configure(home, watch=FAST)
    with Watch(home, env=desktop.env) as w:
        w.wait_for(r"waiting for mail")
        append(dovecot, user, job_mail())
        w.wait_for("Notified: " + KESTREL.replace(".", r"\."))
        w.wait_for(r"^$|.", timeout=1) if False else None
    assert desktop.notified(1) == [("onward checkin", KESTREL)]
    assert desktop.shown() == 1  # the daemon took it and put it on the (virtual) screen
    # Off by default: nothing drafted, nothing moved, even once it is read.
    assert folder_subjects(dovecot, user, "Drafts") == []
    assert len(folder_subjects(dovecot, user, "INBOX")) == 1


def test_an_interview_is_notified_at_once_even_in_quiet_hours_and_a_rejection_waits_for_their_end(
    dovecot: Dovecot, home: Path, desktop: Desktop
) -> None:
    user = new_user()
    add_account(home, dovecot, "work", user)
    configure(home, watch=FAST | {"quiet_hours": quiet_now()})
    with Watch(home, env=desktop.env) as w:
        w.wait_for(r"waiting for mail")
        append(dovecot, user, job_mail())
        w.wait_for(r"Held until quiet hours end: a notice about Kestrel Labs\.")
        append(dovecot, user, job_mail("Globex", "Data Analyst", body=INTERVIEW))
        w.wait_for(
            r"Notified: Good news from Globex about Data Analyst: an invitation to interview\."
        )
        assert [body for _, body in desktop.notified(1)] == [
            "Good news from Globex about Data Analyst: an invitation to interview."
        ]
        configure(home, watch={"quiet_hours": ""})  # the quiet hours end
        w.wait_for(r"Notified \(quiet hours are over\): " + KESTREL.replace(".", r"\."))
    assert [body for _, body in desktop.notified(2)][-1] == KESTREL
    assert len(desktop.notified()) == 2


class _Collect(BaseHTTPRequestHandler):
    got: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).got.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_apprise_posts_the_notice_to_a_json_target_on_loopback(
    dovecot: Dovecot, home: Path
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Collect.got = []
    user = new_user()
    add_account(home, dovecot, "work", user)
    url = f"json://127.0.0.1:{server.server_port}/notify"
    configure(home, watch=FAST | {"apprise_urls": [url], "notify": False})
    try:
        with Watch(home) as w:
            w.wait_for(r"waiting for mail")
            append(dovecot, user, job_mail())
            w.wait_for(r"Notified: A reply from Kestrel Labs")
    finally:
        server.shutdown()
    assert [(g["title"], g["message"]) for g in _Collect.got] == [("onward checkin", KESTREL)]
    assert not any("could not be shown" in ln for ln in w.lines)


def test_without_a_session_bus_notices_are_printed_and_said_once(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    add_account(home, dovecot, "work", user)
    configure(home, watch=FAST)
    with Watch(home) as w:
        w.wait_for(
            r"Desktop notifications are not available here \(there is no D-Bus session bus\); notices are printed\."
        )
        append(dovecot, user, job_mail())
        w.wait_for(r"Notified: A reply from Kestrel Labs")
    assert "Traceback" not in "\n".join(w.lines)


def test_a_watched_rejection_gets_its_draft_and_is_filed_only_once_it_is_read(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    add_account(home, dovecot, "work", user)
    configure(
        home,
        watch=FAST | {"archive": True, "notify": False},
        followup={"before_archive": "draft", "address": "sam@example.org", "name": "Sam Rivera"},
    )
    human = "Dana Whitfield <dana.whitfield@kestrel-labs.com>"
    with Watch(home) as w:
        w.wait_for(r"waiting for mail")
        append(dovecot, user, job_mail(sender=human))
        w.wait_for(r"Drafted a follow-up to Kestrel Labs in Drafts\.")
        w.wait_for(rf"Kestrel Labs's reply will be filed into {ARCHIVE} once you have read it\.")
        assert len(folder_subjects(dovecot, user, "INBOX")) == 1  # unread: it stays
        c = dovecot.client(user)
        c.select_folder("INBOX")
        c.add_flags(c.search(["ALL"]), [b"\\Seen"])  # the person reads it in their mail app
        c.logout()
        w.wait_for(
            rf"Filed 1 rejection you have read into {ARCHIVE} \(`onward undo 1` puts it back\)\."
        )
    assert folder_subjects(dovecot, user, "INBOX") == []
    assert folder_subjects(dovecot, user, ARCHIVE) == [
        "Your application for Analytics Engineer at Kestrel Labs"
    ]
    assert len(folder_subjects(dovecot, user, "Drafts")) == 1
    assert [r["kind"] for r in stored(home)] == ["rejection"]
    assert run("undo", home=home).returncode == 0
    assert len(folder_subjects(dovecot, user, "INBOX")) == 1


# The decisions, without a desktop ------------------------------------------------------
ROW = {
    "id": 7,
    "kind": "rejection",
    "confidence": 0.97,
    "needs_review": False,
    "company": "Kestrel Labs",
    "role": "Analytics Engineer",
    "from_name": "Kestrel Labs",
    "from_addr": "no-reply@greenhouse.io",
    "subject": "Your application",
    "body": "We have decided to move forward with other candidates.",
}


def test_a_notice_names_sender_company_and_role_and_no_other_words_of_the_mail() -> None:
    n = notice_for(ROW, 0.8)
    assert n is not None and n.body == KESTREL and n.hold_in_quiet_hours
    assert "move forward" not in n.body and "Your application" not in n.body
    unsure = notice_for(ROW | {"needs_review": True}, 0.8)
    assert unsure is None  # a rejection onward is unsure of waits for `onward review`
    assert notice_for(ROW | {"kind": "not_job"}, 0.8) is None
    hostile = notice_for(ROW | {"company": "Evil\u202e Corp\x1b[31m", "role": ""}, 0.8)
    assert hostile is not None
    assert hostile.body.startswith("A reply from Evil Corp [31m. When")


def test_the_outbox_holds_in_quiet_hours_and_releases_in_order_after() -> None:
    box = Outbox()
    a = Notice(1, "rejection", "t", "a", True)
    b = Notice(2, "offer", "t", "b", False)
    c = Notice(3, "rejection", "t", "c", True)
    assert box.offer(a, quiet_now=True) == []
    assert box.offer(b, quiet_now=True) == [b]
    assert box.offer(c, quiet_now=True) == []
    assert box.release(quiet_now=True) == []
    assert box.release(quiet_now=False) == [a, c]
    assert box.release(quiet_now=False) == []


def test_a_wrong_value_saved_while_watching_keeps_the_settings_in_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onward.config import Config
    from onward.store import Store
    from onward.watch.arrival import ArrivalActions
    from onward.watch.notify import Notifier

    monkeypatch.setenv("ONWARD_HOME", str(tmp_path))
    config = Config.load()
    config.paths.config_file.write_text('[checkin]\nquiet_hours = "22:00-07:00"\n')
    said: list[str] = []
    store = Store.for_path(tmp_path / "onward.db")
    actions = ArrivalActions(Config.load(), store, Notifier([], said.append), said.append)
    assert actions.quiet_span == "22:00-07:00"
    # Values are checked when a section is read: the check must not stop the watch.
    config.paths.config_file.write_text('[checkin]\nquiet_hours = "23:00-06:00"\nprompt = "no"\n')
    os.utime(config.paths.config_file, (1, 1))
    actions.tick()
    assert actions.quiet_span == "22:00-07:00"
    assert any("could not be read again" in line and "checkin.prompt" in line for line in said)
    store.close()
