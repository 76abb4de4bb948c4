"""A correction reads the email again for its new kind: the employer it names fills in and the
tracker links it, from the command line and the dashboard alike; and an application opened by
hand from an email never has a blank employer. Through the real command, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from onward.classify.service import classifier_for
from onward.config import Config, Paths
from onward.mail.sources import open_path_source
from onward.scan import Scanner
from onward.store import Store
from onward.tracker.repo import Tracker
from tests.factory import mbox_bytes
from tests.runner import run
from tests.test_followup_hostile import run_at_terminal
from tests.webserver import serve

# Written by a person, as the Lumen Labs rejection was: the shipped model calls it
# not_job, so at scan time nothing reads an employer out of it.
LUMEN = (
    "Mara Lind <mara@lumenlabs.io>",
    "Our conversation",
    "Hi Sam,\n\nIt was great to talk. Sadly we decided to go another way; the team at Lumen "
    "Labs enjoyed meeting you.\n\nMara\n",
)
# From a bare personal address, naming no employer at all.
NAMELESS = (
    "jo.marsh@gmail.com",
    "Re: the position",
    "Hi Sam,\n\nThanks for your patience. I'm sorry to tell you we have decided to go with "
    "another candidate. Best of luck with your search.\n\nJo\n",
)


def mail(i: int, sender: str, subject: str, body: str) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "Sam Rivera <sam@example.org>", subject
    m["Date"], m["Message-ID"] = "Mon, 16 Nov 2026 10:00:00 +0000", f"<hand-{i}@mail.test>"
    m.set_content(body)
    return m.as_bytes()


def onward(*args: str, home: Path, db: str) -> subprocess.CompletedProcess[str]:
    return run("--db", db, *args, home=home, timeout=120)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def scanned(tmp_path: Path, db: str, *mails: tuple[str, str, str]) -> Path:
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([mail(i, *m) for i, m in enumerate(mails, 1)]))
    ok(onward("scan", str(box), home=home, db=db))
    return home


def stored(db: str, i: int) -> dict[str, Any]:
    store = Store(db)
    try:
        return store.find_emails(f"<hand-{i}@mail.test>")[0]
    finally:
        store.close()


def applications(home: Path, db: str) -> list[tuple[str, str, str]]:
    rows = json.loads(ok(onward("list", "--json", home=home, db=db)))
    return [(a["company"], a["role"], a["status"]) for a in rows]


def test_a_correction_names_the_employer_and_links_the_email(db_url: str, tmp_path: Path) -> None:
    home = scanned(tmp_path, db_url, LUMEN)
    before = stored(db_url, 1)
    assert (before["kind"], before["company"]) == ("not_job", "")  # what the issue saw

    said = ok(onward("label", str(before["id"]), "rejection", home=home, db=db_url))

    after = stored(db_url, 1)
    assert (after["kind"], after["company"], after["link_state"]) == (
        "rejection",
        "Lumen Labs",
        "linked",
    )
    assert "Lumen Labs" in said and f"application #{after['application_id']}" in said
    assert applications(home, db_url) == [("Lumen Labs", "", "rejected")]
    status = json.loads(ok(onward("status", "--json", home=home, db=db_url)))
    assert status["links_to_review"] == 0


def test_a_correction_of_a_linked_email_changes_its_application(
    db_url: str, tmp_path: Path
) -> None:
    home = scanned(tmp_path, db_url, LUMEN)
    eid = str(stored(db_url, 1)["id"])
    ok(onward("link", eid, "new", "--company", "Lumen Labs", home=home, db=db_url))
    assert applications(home, db_url) == [("Lumen Labs", "", "saved")]
    ok(onward("label", eid, "rejection", home=home, db=db_url))
    assert applications(home, db_url) == [("Lumen Labs", "", "rejected")]


def test_linking_to_a_new_application_never_leaves_the_employer_blank(
    db_url: str, tmp_path: Path
) -> None:
    home = scanned(tmp_path, db_url, NAMELESS)
    eid = str(stored(db_url, 1)["id"])
    ok(onward("label", eid, "rejection", home=home, db=db_url))
    assert stored(db_url, 1)["link_state"] == "review"  # no employer named: the person picks

    refused = onward("link", eid, "new", home=home, db=db_url)
    assert refused.returncode == 1
    assert "names no employer: pass --company" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    assert applications(home, db_url) == []

    ok(
        onward(
            "link",
            eid,
            "new",
            "--company",
            "Fern & Fig",
            "--role",
            "Line Cook",
            home=home,
            db=db_url,
        )
    )
    assert applications(home, db_url) == [("Fern & Fig", "Line Cook", "rejected")]


def test_at_a_terminal_linking_asks_for_the_employer_and_role(db_url: str, tmp_path: Path) -> None:
    home = scanned(tmp_path, db_url, NAMELESS)
    eid = str(stored(db_url, 1)["id"])
    ok(onward("label", eid, "rejection", home=home, db=db_url))
    code, said = run_at_terminal(["--db", db_url, "link", eid, "new"], home, "Fern & Fig\n\n")
    assert code == 0 and "names no employer or role" in said, said
    assert applications(home, db_url) == [("Fern & Fig", "", "rejected")]


def test_linking_takes_the_employer_the_email_names(db_url: str, tmp_path: Path) -> None:
    home = scanned(tmp_path, db_url, LUMEN)
    for role in ("Platform Engineer", "Site Reliability Engineer"):
        ok(onward("apply", "Lumen Labs", role, home=home, db=db_url))
    eid = str(stored(db_url, 1)["id"])
    ok(onward("label", eid, "rejection", home=home, db=db_url))
    assert stored(db_url, 1)["link_state"] == "review"  # two roles there, and it names neither
    ok(onward("link", eid, "new", home=home, db=db_url))
    assert ("Lumen Labs", "", "rejected") in applications(home, db_url)


def test_the_dashboard_correction_names_the_employer_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([mail(1, *LUMEN)]))
    config, store = Config(Paths(home, home), {}), Store.for_path(home / "onward.db")
    Scanner(store, classifier=classifier_for(store)).run(open_path_source(box, "box"))
    Tracker(store).link_pending()
    eid = store.find_emails("<hand-1@mail.test>")[0]["id"]
    with serve(config, store) as live:
        bearer = {"Authorization": f"Bearer {live.secrets.token}"}
        r = httpx.post(
            f"{live.url}/api/emails/{eid}/label", json={"kind": "rejection"}, headers=bearer
        )
        assert r.status_code == 200, r.text
        assert r.json()["previous"] == "not_job"
    after = store.find_emails(str(eid))[0]
    assert (after["company"], after["link_state"]) == ("Lumen Labs", "linked")
    assert [a["company"] for a in Tracker(store).apps()] == ["Lumen Labs"]


def test_the_dashboard_never_opens_an_application_without_an_employer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([mail(1, *NAMELESS)]))
    config, store = Config(Paths(home, home), {}), Store.for_path(home / "onward.db")
    Scanner(store, classifier=classifier_for(store)).run(open_path_source(box, "box"))
    eid = store.find_emails("<hand-1@mail.test>")[0]["id"]
    with serve(config, store) as live:
        c = httpx.Client(base_url=live.url, follow_redirects=False)
        assert c.get("/", params={"token": live.secrets.token}).status_code == 303
        form = {"csrf": live.secrets.csrf}
        assert c.post(f"/review/{eid}", data=form | {"kind": "rejection"}).status_code == 303
        assert store.find_emails(str(eid))[0]["link_state"] == "review"
        r = c.post(f"/review/{eid}/link", data=form | {"application": "new"})
        assert r.status_code == 400
        assert f"email {eid} names none" in r.text
    assert Tracker(store).apps() == []
