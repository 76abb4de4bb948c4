"""What a follow-up may be drafted for, and what it says: only a rejection (or an email the
person corrected to one) gets a thank-you letter unless they pass --anyway, and a draft names
the employer as the person's application does, or leaves a visible placeholder and says so."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from tests.dovecot import Dovecot, new_user
from tests.factory import mbox_bytes
from tests.jobmail import rejection
from tests.runner import run
from tests.test_followup import drafts
from tests.test_imap import add_account

DINNER = (
    "Jo Park <jo.park@gmail.com>",
    "Friday",
    "Hey Sam,\n\nUnfortunately I can't make it to dinner on Friday, my sister is in town. "
    "Rain check next week?\n\nJo\n",
)
# A person's rejection from a bare personal address: it names no employer and no role.
NAMELESS = (
    "jo.marsh@gmail.com",
    "Re: the position",
    "Hi Sam,\n\nThanks for your patience. I'm sorry to tell you we have decided to go with "
    "another candidate. Best of luck with your search.\n\nJo\n",
)

# A rejection written by a person that the shipped model misses (it has no decision wording).
SUBTLE = (
    "jo.marsh@gmail.com",
    "Re: the position",
    "Hi Sam,\n\nThanks for your patience. We are all set for now, but I will remember you.\n\nJo\n",
)


def mail(i: int, sender: str, subject: str, body: str) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "Sam Rivera <sam@example.org>", subject
    m["Date"], m["Message-ID"] = "Mon, 16 Nov 2026 10:00:00 +0000", f"<hand-{i}@mail.test>"
    m.set_content(body)
    return m.as_bytes()


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def email_id(home: Path, message_id: str) -> tuple[int, str]:
    with sqlite3.connect(home / "onward.db") as conn:
        row = conn.execute("SELECT id, kind FROM emails WHERE message_id = ?", (message_id,))
        return row.fetchone()  # type: ignore[no-any-return]


def followups_stored(home: Path) -> int:
    with sqlite3.connect(home / "onward.db") as conn:
        return int(conn.execute("SELECT count(*) FROM followups").fetchone()[0])


def test_a_friends_cancelled_dinner_gets_no_thank_you_letter_unless_asked(
    dovecot: Dovecot, home: Path
) -> None:
    user = new_user()
    dovecot.seed(user, [mail(1, *DINNER), rejection(2, human=True)])
    add_account(home, dovecot, user, "--address", "sam@example.org")
    ok(run("scan", "work", home=home))
    dinner, kind = email_id(home, "<hand-1@mail.test>")
    assert kind == "not_job"

    for extra in ((), ("--show",)):
        refused = run("followup", "--email", str(dinner), *extra, home=home)
        assert refused.returncode == 1
        [sentence] = refused.stderr.strip().splitlines()
        assert "classified not_job, not a rejection, so no follow-up was drafted" in sentence
        assert "--anyway" in sentence and not refused.stdout.strip()
    assert drafts(dovecot, user) == []
    assert followups_stored(home) == 0
    status = json.loads(ok(run("status", "--json", home=home)).stdout)
    assert status["followups"]["asked"] == 0

    ok(run("followup", "--email", str(dinner), "--anyway", home=home))
    assert len(drafts(dovecot, user)) == 1 and followups_stored(home) == 1


def test_a_corrected_rejection_gets_its_follow_up(home: Path, tmp_path: Path) -> None:
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([mail(1, *SUBTLE)]))
    ok(run("scan", str(box), home=home))
    eid, kind = email_id(home, "<hand-1@mail.test>")
    assert kind != "rejection"  # the shipped model misses it
    assert run("followup", "--email", str(eid), home=home).returncode == 1
    ok(run("label", str(eid), "rejection", home=home))
    ok(run("followup", "--email", str(eid), home=home))
    assert followups_stored(home) == 1


def draft_text(home: Path, eid: int) -> str:
    [path] = [p for p in (home / "drafts").glob("*.eml") if p.stem.endswith(f"-{eid}")]
    draft = message_from_bytes(path.read_bytes(), policy=policy.default)
    return " ".join(draft.get_content().split())  # type: ignore[attr-defined]


def test_a_draft_names_the_employer_as_the_application_does_or_says_it_cannot(
    home: Path, tmp_path: Path
) -> None:
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([mail(1, *NAMELESS), mail(2, *NAMELESS)]))
    ok(run("scan", str(box), home=home))
    unlinked, _ = email_id(home, "<hand-1@mail.test>")
    linked, _ = email_id(home, "<hand-2@mail.test>")
    for eid in (unlinked, linked):
        ok(run("label", str(eid), "rejection", home=home))
    ok(run("link", str(linked), "new", "--company", "Fern & Fig", "--role", "Line Cook", home=home))

    said = ok(run("followup", "--email", str(unlinked), home=home)).stdout
    text = draft_text(home, unlinked)
    assert "the team at [company] gave my application." in text
    assert "interested in [company]." in text and "your team" not in text
    for told in (said, text):
        assert "so the draft says [company] where their name goes" in told

    said = ok(run("followup", "--email", str(linked), home=home)).stdout
    text = draft_text(home, linked)
    assert "the team at Fern & Fig gave my application for the Line Cook position." in text
    assert "interested in Fern & Fig." in text and "[company]" not in text + said


def test_followup_show_prints_the_draft_as_the_person_reads_it_not_quoted_printable(
    home: Path, tmp_path: Path
) -> None:
    box = tmp_path / "in.mbox"
    sender = "Zoë O’Brien <zoe@brightpath.eu>"
    box.write_bytes(mbox_bytes([mail(1, sender, "Your application", NAMELESS[2])]))
    ok(run("scan", str(box), home=home))
    eid, _ = email_id(home, "<hand-1@mail.test>")
    ok(run("label", str(eid), "rejection", home=home))
    named = ("--company", "Brightpath", "--role", "Support Specialist")
    ok(run("link", str(eid), "new", *named, home=home))

    shown = ok(run("followup", "--email", str(eid), "--show", home=home)).stdout
    assert "Hello Zoë," in shown
    assert "To: Zoë O’Brien <zoe@brightpath.eu>" in shown
    # One sentence on one line: no soft line breaks, no =C3=AB for the ë.
    sentence = "the team at Brightpath gave my application for the Support Specialist position."
    assert sentence in shown
    assert "=C3" not in shown and "=E2" not in shown
    assert not [line for line in shown.splitlines() if line.endswith("=")]
    assert "Content-Transfer-Encoding" not in shown
