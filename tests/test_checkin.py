"""The check-in: suggestions that fit, one offer per rejection, skips and quiet hours kept,
never a prompt when nobody is at a terminal; and the feelings beside the search."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onward.actions import checkin as ck
from onward.store import Store
from onward.store.checkins import Checkins, CheckinTaken
from onward.tracker import mood
from onward.tracker.repo import Tracker
from tests.runner import at_terminal, run

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_suggestions_fit_the_feeling_and_strength(tmp_path: Path) -> None:
    data = ck.load(tmp_path)
    angry = ck.advise(data, "angry", 5)
    assert len(angry.suggestions) == 3
    assert any("run" in s for s in angry.suggestions) and any(
        "boxing" in s for s in angry.suggestions
    )
    assert len(ck.advise(data, "angry", 1).suggestions) == 2
    sad = " ".join(ck.advise(data, "sad", 4).suggestions)
    assert "Let it out" in sad and "Call someone" in sad
    assert "follow-up" in " ".join(ck.advise(data, "confused").suggestions)
    assert "application" in " ".join(ck.advise(data, "anxious").suggestions)
    assert "not a verdict" in angry.reminder
    for feeling in ck.FEELINGS:  # every feeling onward offers has something to say
        assert ck.advise(data, feeling).suggestions, feeling


def test_the_suggestions_are_the_persons_to_edit(tmp_path: Path) -> None:
    ck.load(tmp_path)
    path = tmp_path / "feelings.toml"
    text = path.read_text().replace(
        "Get physical: go for a run or a brisk walk.", "Swim 20 lengths."
    )
    path.write_text(text)
    assert ck.advise(ck.load(tmp_path), "angry").suggestions[0] == "Swim 20 lengths."
    path.write_text("reminder = 'x'\n")
    with pytest.raises(ck.CheckinError, match="delete it to get the default"):
        ck.load(tmp_path)


@pytest.mark.parametrize(
    ("span", "hour", "quiet"),
    [
        ("22:00-08:00", 23, True),
        ("22:00-08:00", 7, True),
        ("22:00-08:00", 12, False),
        ("13:00-14:00", 13, True),
        ("13:00-14:00", 14, False),
        ("", 3, False),
        ("nonsense", 3, False),
    ],
)
def test_quiet_hours(span: str, hour: int, quiet: bool) -> None:
    assert ck.quiet(datetime(2026, 1, 1, hour, 30), span) is quiet


def _rejected(store: Store, company: str, at: datetime) -> int:
    t = Tracker(store, now=at)
    return t.reject(company, "Analyst", via="phone", at=at)


def test_one_checkin_per_rejection(db_url: str) -> None:
    store = Store(db_url)
    _rejected(store, "Old Co", NOW - timedelta(days=60))  # history, not a prompt
    _rejected(store, "Acme", NOW - timedelta(days=2))
    _rejected(store, "Globex", NOW - timedelta(days=1))
    checkins = Checkins(store)
    pending = checkins.pending(NOW)
    assert [p["company"] for p in pending] == ["Globex", "Acme"]
    checkins.record(NOW, "sad", 4, "", pending)
    assert checkins.pending(NOW) == []  # Acme was covered by the same check-in
    with pytest.raises(CheckinTaken):
        checkins.record(NOW, "angry", 2, "", pending)
    _rejected(store, "Initech", NOW)
    assert checkins.skip(NOW, checkins.pending(NOW)) == 1
    assert checkins.pending(NOW) == []  # a skip is respected
    assert [(h["feeling"], h["company"]) for h in checkins.history()] == [("sad", "Globex")]
    assert [h["companies"] for h in checkins.history()] == [["Globex", "Acme"]]
    store.close()


def test_what_came_after_each_rejection() -> None:
    d = lambda n: NOW + timedelta(days=n)  # noqa: E731
    apps = [
        {"company": "A", "applied_at": d(0), "closed_at": d(10), "status": "rejected"},
        {"company": "B", "applied_at": d(13), "closed_at": None, "status": "interview"},
        {"company": "C", "applied_at": d(30), "closed_at": None, "status": "applied"},
    ]
    milestones = [
        {"kind": "rejection", "at": d(10), "company": "A"},
        {"kind": "interview", "at": d(20), "company": "B"},
        {"kind": "rejection", "at": d(31), "company": "D"},
    ]
    after = mood.after_rejections(milestones, apps)
    first = next(r for r in after if r["company"] == "A")
    assert first["next_application"] == {"company": "B", "days": 3.0}
    assert first["next_interview"] == {"company": "B", "days": 10.0}
    assert first["next_offer"] is None
    later = next(r for r in after if r["company"] == "D")
    assert later["next_application"] is None
    checkins = [{"feeling": "angry", "rejected_at": d(10), "created_at": d(10), "intensity": 4}]
    assert mood.by_feeling([("angry", 3.0), ("angry", 5.0), ("sad", 1.0)]) == {
        "angry": 4.0,
        "sad": 1.0,
    }
    applied = mood.count_by_week(a["applied_at"] for a in apps)
    rejected = mood.count_by_week(a["closed_at"] for a in apps if a["status"] == "rejected")
    weeks = mood.weeks(applied, rejected, checkins, d(31), count=6)
    assert sum(w["applied"] for w in weeks) == 3 and sum(w["rejected"] for w in weeks) == 1
    assert [w["feelings"] for w in weeks if w["feelings"]] == [{"angry": 1}]


def _tty(args: list[str], home: Path, answers: list[str], timeout: float = 60) -> str:
    """Run onward on a pseudo-terminal, answering each prompt in turn."""
    _, out = at_terminal(args, home, answers, timeout=timeout)
    # Rich wraps the advice panel at the terminal's width: compare words, not lines.
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", out).split())


def test_the_next_interactive_command_offers_one_checkin(home: Path) -> None:
    assert run("reject", "Acme", "Data Analyst", home=home).returncode == 0
    piped = run("status", home=home)
    assert piped.returncode == 0 and "How do you feel" not in piped.stdout  # nobody at a terminal
    first = _tty(["status"], home, ["angry", "4", "slammed a door"])
    assert "A rejection came in: Acme (Data Analyst)" in first
    assert "run" in first and "boxing" in first and "not a verdict" in first
    again = _tty(["status"], home, [])
    assert "How do you feel" not in again  # never twice for one rejection
    history = run("checkin", "--history", home=home).stdout
    assert "angry" in history and "slammed a door" in history


def test_help_and_machine_output_never_offer_a_checkin(home: Path) -> None:
    assert run("reject", "Acme", "Data Analyst", home=home).returncode == 0
    assert "How do you feel" not in _tty(["status", "--help"], home, [])
    assert "How do you feel" not in _tty(["--debug", "status", "--json"], home, [])
    assert "How do you feel" not in _tty(["account", "list"], home, [])  # not opted in
    assert "How do you feel" in _tty(["--debug", "status"], home, [""])  # still asks, once


def test_skip_and_quiet_hours_are_respected(home: Path) -> None:
    assert run("reject", "Globex", home=home).returncode == 0
    home.joinpath("config.toml").write_text('[checkin]\nquiet_hours = "00:00-23:59"\n')
    assert "How do you feel" not in _tty(["status"], home, [])
    home.joinpath("config.toml").write_text("")
    skipped = _tty(["status"], home, [""])
    assert "How do you feel" in skipped and "Skipped" in skipped
    assert "How do you feel" not in _tty(["status"], home, [])
    r = run("checkin", "--feeling", "fine", "--intensity", "2", home=home)  # any time
    assert r.returncode == 0 and "momentum" in r.stdout


def test_the_history_names_every_company_one_check_in_covered(home: Path) -> None:
    for company in ("Acme", "Globex", "Initech"):
        assert run("reject", company, home=home).returncode == 0
    r = run("checkin", "--feeling", "sad", "--intensity", "3", home=home)
    assert r.returncode == 0, r.stderr
    assert run("reject", "Umbrella", home=home).returncode == 0
    assert run("checkin", "--feeling", "fine", home=home).returncode == 0
    history = run("checkin", "--history", home=home).stdout
    [sad] = [line for line in history.splitlines() if "sad" in line]
    assert "Initech, Globex and Acme" in sad
    [fine] = [line for line in history.splitlines() if "fine" in line]
    assert "Umbrella" in fine and "Acme" not in fine


def test_many_companies_are_named_briefly() -> None:
    assert ck.companies_phrase([]) == ""
    assert ck.companies_phrase(["Acme"]) == "Acme"
    assert ck.companies_phrase(["Acme", "Globex"]) == "Acme and Globex"
    assert ck.companies_phrase(["Acme", "Acme", "Globex"]) == "Acme and Globex"
    many = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
    assert ck.companies_phrase(many) == "Acme, Globex and 3 more"


def test_a_no_recorded_on_the_dashboard_is_worded_as_it_came() -> None:
    # The dashboard's "Something happened outside email" form offers these four.
    assert ck.via_phrase("in person") == "in person"
    assert ck.via_phrase("video call") == "on a video call"
    assert ck.via_phrase("message") == "by message"
    assert ck.via_phrase("phone") == "by phone"
    assert ck.via_phrase("manual") == ""
