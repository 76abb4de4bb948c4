"""Job-alert emails read into the positions they list, and `save --from-alert` on one."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from onward.tracker.alerts import Posting, clean_url, read_alert
from tests.factory import mbox_bytes

LINKEDIN_AT = """\
Your job alert for software engineer
2 new jobs match your preferences.

Senior Software Engineer at Acme Corp
https://www.linkedin.com/comm/jobs/view/3900000001/?trackingId=abc&otpToken=secret

Platform Engineer at Brightwave, Berlin
https://www.linkedin.com/comm/jobs/view/3900000002/?trackingId=def

See all jobs: https://www.linkedin.com/comm/jobs/search?keywords=software
Unsubscribe: https://www.linkedin.com/comm/psettings/email-unsubscribe?x=1
"""

# LinkedIn's own text part: blocks of title, company and place, blank lines between.
LINKEDIN_BLOCKS = """\
Your job alert for data architect
30+ new jobs in France match your preferences.

Architecte Base de Données Oracle- F/H

Groupe Softway Medical

Fuveau

View job: https://www.linkedin.com/comm/jobs/view/4304077598/?trackingId=X&refId=Y&lipi=Z

---------------------------------------------------------

Data Architect - Issy-les-Moulineaux

Capgemini

Issy-les-Moulineaux

View job: https://www.linkedin.com/comm/jobs/view/4303871875/?trackingId=X&midToken=T

---------------------------------------------------------

Manage your job alerts: https://www.linkedin.com/comm/jobs/alerts
"""

INDEED_BLOCKS = """\
Software Engineer jobs in Austin, TX

Backend Developer
Northwind 4.2 ★
Austin, TX
$120,000 - $150,000 a year
Easily apply
https://www.indeed.com/rc/clk?jk=0123abcd&from=ja&utm_source=alert

Site Reliability Engineer
Kestrel Labs - Remote
Just posted
https://www.indeed.com/rc/clk?jk=4567efab&from=ja
"""

DIGEST = """\
Hi Alex Applicant,

New jobs matching your saved search:

AI Engineer - Monday.com (Remote)
- Data Analyst at Grammarly
* Product Manager | Initech | London
UX Designer at Airbnb - Posted 1 week ago
Inside look: Life at Raytheon

Don't miss out - apply today!

Manage alerts | Unsubscribe
"""


def test_a_title_at_company_line_with_its_link_on_the_next_line_is_one_posting() -> None:
    assert read_alert(LINKEDIN_AT) == [
        Posting(
            "Senior Software Engineer",
            "Acme Corp",
            "",
            "https://www.linkedin.com/comm/jobs/view/3900000001/",
        ),
        Posting(
            "Platform Engineer",
            "Brightwave",
            "Berlin",
            "https://www.linkedin.com/comm/jobs/view/3900000002/",
        ),
    ]


def test_linkedin_blocks_of_title_company_and_place_are_read_with_their_links() -> None:
    assert read_alert(LINKEDIN_BLOCKS) == [
        Posting(
            "Architecte Base de Données Oracle- F/H",
            "Groupe Softway Medical",
            "Fuveau",
            "https://www.linkedin.com/comm/jobs/view/4304077598/",
        ),
        Posting(
            "Data Architect - Issy-les-Moulineaux",
            "Capgemini",
            "Issy-les-Moulineaux",
            "https://www.linkedin.com/comm/jobs/view/4303871875/",
        ),
    ]


def test_indeed_cards_drop_the_rating_salary_and_badges() -> None:
    assert read_alert(INDEED_BLOCKS) == [
        Posting(
            "Backend Developer",
            "Northwind",
            "Austin, TX",
            "https://www.indeed.com/rc/clk?jk=0123abcd",
        ),
        Posting(
            "Site Reliability Engineer",
            "Kestrel Labs",
            "Remote",
            "https://www.indeed.com/rc/clk?jk=4567efab",
        ),
    ]


def test_one_line_digests_in_every_separator_and_no_greeting_or_footer() -> None:
    assert [(p.role, p.company, p.place) for p in read_alert(DIGEST)] == [
        ("AI Engineer", "Monday.com", "Remote"),
        ("Data Analyst", "Grammarly", ""),
        ("Product Manager", "Initech", "London"),
        ("UX Designer", "Airbnb", ""),
    ]


def test_a_link_on_the_same_line_and_a_company_with_inc_stay_whole() -> None:
    text = "Staff Engineer at Globex, Inc. and 9 more jobs https://jobs.example/v/1?ref=alert&id=7"
    assert read_alert(text) == [
        Posting("Staff Engineer", "Globex, Inc.", "", "https://jobs.example/v/1?id=7")
    ]


def test_prose_and_a_posting_listed_twice_give_one_posting() -> None:
    text = (
        "We looked at your profile and found these.\n"
        "Data Analyst - Globex\nData Analyst - Globex\n"
        "thanks for reading - the team\n"
    )
    assert [(p.role, p.company) for p in read_alert(text)] == [("Data Analyst", "Globex")]


def test_a_link_keeps_its_job_key_but_loses_tracking_and_sign_in_tokens() -> None:
    url = "https://x.example/view/1?jk=42&utm_campaign=a&trkEmail=b&otpToken=c&eid=d"
    assert clean_url(url + ".") == "https://x.example/view/1?jk=42"


def test_save_from_a_linkedin_alert_saves_each_position_with_its_link(
    db_url: str, tmp_path: Path
) -> None:
    from tests.runner import run

    msg = EmailMessage()
    msg["From"] = "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>"
    msg["To"] = "Sam Rivera <sam@example.org>"
    msg["Subject"] = "Senior Software Engineer at Acme Corp and 1 more job"
    msg["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
    msg["Message-ID"] = "<alert-1@linkedin.test>"
    msg.set_content(LINKEDIN_AT)
    msg.add_alternative(
        "<html><body><table><tr><td>Acme</td></tr></table></body></html>", subtype="html"
    )
    box = tmp_path / "alert.mbox"
    box.write_bytes(mbox_bytes([msg.as_bytes()]))
    home = tmp_path / "home"

    def onward(*args: str) -> str:
        done = run("--db", db_url, *args, home=home, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    onward("scan", str(box))
    said = onward("save", "--from-alert", "1")
    assert "Saved #1: Senior Software Engineer at Acme Corp." in said
    saved = json.loads(onward("list", "--status", "saved", "--json"))
    assert [(a["company"], a["role"], a["url"]) for a in saved] == [
        (
            "Acme Corp",
            "Senior Software Engineer",
            "https://www.linkedin.com/comm/jobs/view/3900000001/",
        ),
        ("Brightwave", "Platform Engineer", "https://www.linkedin.com/comm/jobs/view/3900000002/"),
    ]
