"""The dashboard in a real browser: Playwright driving Debian's Chromium, headless.

Set ONWARD_SCREENSHOTS=docs/screenshots to refresh the README's screenshots.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from onward.store.schema import applications, checkins, corrections, emails
from tests.webserver import Live

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = os.environ.get("ONWARD_SCREENSHOTS")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run must install the chromium package")
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # No stray DNS lookups from the browser: only the dashboard on loopback is reachable.
        "args": ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
    }


@pytest.fixture
def page(page, live: Live):  # type: ignore[no-untyped-def]
    page.goto(live.login())
    return page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_review_a_message_and_correct_its_kind(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url + "/review")
    # An employer's open day: job mail, but no interview, which is what onward guesses (since
    # session 33 the agency recruiter's first message this test corrected before is decided).
    row = page.locator("#uncertain tbody tr", has_text="Douro Wines careers open day")
    email_id = int(row.get_attribute("id").split("-")[1])
    guess = row.locator("td").nth(3).inner_text()
    assert guess.split()[0] != "other_job", guess
    shot(page, "review")
    row.locator("select[name=kind]").select_option("other_job")
    row.locator("button").click()
    page.wait_for_url(lambda url: "done=" in url)
    assert page.locator(".flash").inner_text() == "Saved."
    assert page.locator(f"#email-{email_id}").count() == 0  # confirmed: no longer uncertain
    with live.store.engine.connect() as conn:
        kinds = (
            conn.execute(select(corrections.c.kind).where(corrections.c.email_id == email_id))
            .scalars()
            .all()
        )
        assert kinds == ["other_job"]
        kind = conn.execute(select(emails.c.kind).where(emails.c.id == email_id)).scalar()
        assert kind == "other_job"


def test_add_an_application_by_hand(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url + "/applications")
    page.click("text=Add one")
    page.fill("input[name=company]", "Fjord Analytics")
    page.fill("input[name=role]", "Data Engineer")
    page.fill("input[name=on]", "2026-11-20")
    shot(page, "add-application")
    page.click("#new-application button[type=submit]")
    page.wait_for_url("**/applications/*")
    assert "Fjord Analytics" in page.locator("h1").inner_text()
    assert "application received" in page.locator("#timeline").inner_text()
    with live.store.engine.connect() as conn:
        row = conn.execute(
            select(applications.c.role, applications.c.status).where(
                applications.c.company == "Fjord Analytics"
            )
        ).one()
    assert tuple(row) == ("Data Engineer", "applied")
    page.goto(live.url + "/applications?sort=company&desc=0")
    shot(page, "applications")
    names = page.locator("#applications tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower) and "Fjord Analytics" in names


def test_a_rejection_by_phone_then_a_check_in(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url + "/applications?q=fjord")
    page.click("#applications tbody a")
    page.select_option("#record-event select[name=kind]", "rejection")
    page.select_option("#record-event select[name=via]", "phone")
    page.click("#record-event button")
    page.wait_for_url("**/applications/*")
    page.goto(live.url + "/")
    card = page.locator("#pending-checkin")
    assert "Fjord Analytics" in card.inner_text() and "phone" in card.inner_text()
    shot(page, "today")
    card.locator("input[value=angry]").check()
    card.locator("input[name=note]").fill("They called at lunch.")
    card.locator("button[name=save]").click()
    page.wait_for_url("**/checkin/*")
    advice = page.locator("#advice").inner_text()
    assert "run" in advice and "boxing" in advice and "not a verdict" in advice
    shot(page, "checkin")
    page.goto(live.url + "/")
    assert page.locator("#pending-checkin").count() == 0  # one check-in per rejection
    with live.store.engine.connect() as conn:
        rows = conn.execute(select(checkins.c.state, checkins.c.feeling, checkins.c.note)).all()
    # One answer; any other rejection waiting at that moment is covered by it, not asked again.
    assert [(f, n) for s, f, n in rows if s == "done"] == [("angry", "They called at lunch.")]
    assert all(f == "" for s, f, _ in rows if s != "done")


def test_insights_draws_its_charts(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url + "/insights")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(4):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 60
    assert page.locator("svg[data-chart=weekly] rect.bar").count() == 12
    assert page.locator("svg[data-chart=weekly] line.goal").count() == 1
    assert page.locator("svg[data-chart=stages] rect.bar").count() >= 1
    assert page.locator("svg[data-chart=feelings] circle.dot").count() >= 1  # the check-in
    shot(page, "insights")
    page.goto(live.url + "/followups")
    shot(page, "followups")


def test_no_script_from_an_email_runs(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    logs: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: logs.append(m.text))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    email_id = live.store.find_emails("<xss-1@mallory.example>")[0]["id"]
    page.goto(f"{live.url}/emails/{email_id}")
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()  # shown as text
    shot(page, "email")
    page.click("#as-sent")
    page.wait_for_url("**/original")
    assert "Thank you for applying to Mallory Corp." in page.locator("#original").inner_text()
    page.hover("#original div")
    page.click("#original a")  # the link that was javascript: (now without href)
    page.wait_for_timeout(300)
    flags = page.evaluate(
        "() => ['script','onerror','link','hover','svg','iframe','object']"
        ".map(k => window['__xss_' + k])"
    )
    assert flags == [None] * 7
    assert not dialogs and not [m for m in logs if "XSS" in m]
    html = page.locator("#original").inner_html()
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_a_token_link_cannot_send_the_browser_elsewhere(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.url}//evil.example/x?token={live.secrets.token}")
    assert page.url == f"{live.url}/evil.example/x"  # a 404 of the dashboard, not evil.example


def test_two_dashboards_in_one_browser_keep_their_own_sessions(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    from tests.webserver import serve

    with serve(live.config, live.store, token="other-token-" + "z" * 20) as other:
        page.goto(other.login())
        assert page.url == other.url + "/"
        names = {c["name"] for c in page.context.cookies()}
        assert {c for c in names if c.startswith("onward_session")} == {
            f"onward_session_{live.url.rsplit(':', 1)[1]}",
            f"onward_session_{other.url.rsplit(':', 1)[1]}",
        }
        for url in (live.url, other.url):  # logging in to one did not log out the other
            assert page.goto(url + "/insights").status == 200, url
