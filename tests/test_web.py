"""The dashboard's guards and JSON API, against a real uvicorn server on loopback.

Each guard test makes the request that guard exists to refuse, so removing the guard fails it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select, update

from onward.store.schema import applications, corrections, emails
from tests.runner import run
from tests.webserver import Live, build_home, serve


def _count(live: Live) -> int:
    with live.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(applications)).scalar() or 0)


def _session(live: Live) -> httpx.Client:
    c = httpx.Client(base_url=live.url, follow_redirects=False)
    r = c.get("/", params={"token": live.secrets.token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    return c


def test_every_page_needs_the_token(live: Live) -> None:
    for path in (
        "/",
        "/review",
        "/applications",
        "/insights",
        "/api/status",
        "/openapi.json",
        "/static/onward.css",
    ):
        assert httpx.get(live.url + path).status_code == 401, path
    assert httpx.get(live.url + "/", params={"token": "wrong"}).status_code == 401
    assert httpx.get(live.url + "/", cookies={"onward_session": "wrong"}).status_code == 401
    bearer = {"Authorization": f"Bearer {live.secrets.token}"}
    assert httpx.get(live.url + "/api/status", headers=bearer).status_code == 200


def test_the_token_becomes_a_cookie_and_leaves_the_url(live: Live) -> None:
    c = _session(live)
    r = c.get("/insights")
    assert r.status_code == 200 and "Insights" in r.text
    assert live.secrets.token not in r.text  # never echoed into a page


def test_insights_count_every_application_the_list_shows(live: Live) -> None:
    from sqlalchemy import func, select

    from onward.store.schema import applications

    with live.store.engine.connect() as conn:
        listed = conn.execute(select(func.count()).select_from(applications)).scalar()
    text = _session(live).get("/insights").text
    assert f"of {listed} in your list." in text and "applications in all" not in text


def test_a_foreign_host_header_is_refused(live: Live) -> None:
    """DNS rebinding: evil.example resolved to 127.0.0.1 still sends Host: evil.example."""
    c = _session(live)
    r = c.get("/", headers={"Host": "evil.example"})
    assert r.status_code == 400
    assert c.get("/", headers={"Host": live.url.removeprefix("http://")}).status_code == 200


def _raw_get(live: Live, target: str) -> tuple[int, dict[str, str]]:
    """One GET sent byte for byte: an HTTP client would tidy the very paths under test."""
    import socket

    host = live.url.removeprefix("http://")
    with socket.create_connection(tuple(host.split(":")), timeout=10) as s:  # type: ignore[arg-type]
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
    return int(head[0].split()[1]), fields


def _same_origin(location: str) -> bool:
    """How a browser reads a Location: only "/x" (not "//x", "/\\x", "/<tab>/x") stays here."""
    return (
        location.startswith("/")
        and location[1:2] not in ("/", "\\")
        and not any(c in location for c in "\t\r\n\\")
    )


def test_a_token_link_redirects_only_within_the_dashboard(live: Live) -> None:
    token = live.secrets.token
    for path in (
        "//evil.example/x",
        "///evil.example/x",
        "/\\evil.example/x",
        "/\\/evil.example/x",
        "/%2F%2Fevil.example/x",
        "/%5C%5Cevil.example/x",
        "/%09/evil.example/x",
        "/%0A/evil.example/x",
        "/http://evil.example/x",
        "//evil.example/x?next=//evil.example",
    ):
        sep = "&" if "?" in path else "?"
        status, fields = _raw_get(live, f"{path}{sep}token={token}")
        assert status == 303, path
        assert _same_origin(fields["location"]), (path, fields["location"])
    status, fields = _raw_get(live, f"//evil.example/x?token={token}")
    assert fields["location"] == "/evil.example/x"
    status, fields = _raw_get(live, f"/applications?sort=company&token={token}")
    assert fields["location"] == "/applications?sort=company"


def test_a_redirect_target_is_always_a_path_here() -> None:
    from onward.web.security import local_target

    assert local_target("//evil.example/x") == "/evil.example/x"
    assert local_target("/\\\\/evil.example") == "/evil.example"
    assert local_target("/\t/evil.example") == "/%09/evil.example"
    assert local_target("/a\\b c") == "/a%5Cb%20c"
    assert local_target("/", "q=1") == "/?q=1"
    assert local_target("") == "/"


def test_the_session_cookie_is_named_for_its_port(live: Live) -> None:
    """Cookies ignore ports: two dashboards on 127.0.0.1 must not overwrite each other's."""
    port = live.url.rsplit(":", 1)[1]
    r = httpx.get(live.url + "/", params={"token": live.secrets.token})
    assert r.headers["set-cookie"].startswith(f"onward_session_{port}=")
    ok = {f"onward_session_{port}": live.secrets.token}
    assert httpx.get(live.url + "/insights", cookies=ok).status_code == 200
    other = {"onward_session": live.secrets.token, "onward_session_1": live.secrets.token}
    assert httpx.get(live.url + "/insights", cookies=other).status_code == 401
    c = _session(live)
    r = c.post("/applications", data={"company": "Cookie Co", "csrf": live.secrets.csrf})
    assert r.status_code == 303  # CSRF still works with the renamed cookie


def test_forms_need_the_csrf_token(live: Live) -> None:
    c = _session(live)
    before = _count(live)
    r = c.post("/applications", data={"company": "Forged Inc", "role": "x"})
    assert r.status_code == 403
    r = c.post("/applications", data={"company": "Forged Inc", "csrf": "guess"})
    assert r.status_code == 403
    r = c.post("/api/applications", json={"company": "Forged Inc"})  # cookie only: refused too
    assert r.status_code == 403
    assert _count(live) == before
    r = c.post("/applications", data={"company": "Real Inc", "csrf": live.secrets.csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/applications/")
    assert _count(live) == before + 1


def test_review_correction_is_recorded_and_learned(live: Live) -> None:
    c = _session(live)
    page = c.get("/review").text
    assert f'name="csrf" value="{live.secrets.csrf}"' in page  # every form carries it
    with live.store.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(corrections)).scalar()
    bearer = {"Authorization": f"Bearer {live.secrets.token}"}
    items = httpx.get(live.url + "/api/review", headers=bearer).json()
    assert items, "the demo mailbox has uncertain messages"
    r = httpx.post(
        f"{live.url}/api/emails/{items[0]['id']}/label", json={"kind": "interview"}, headers=bearer
    )
    assert r.status_code == 200 and r.json()["kind"] == "interview"
    with live.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(corrections)).scalar() == before + 1


def test_the_dashboard_and_onward_followup_list_the_same_rejections(tmp_path: Path) -> None:
    import re

    home = tmp_path / "home"
    config, store = build_home(home)
    # A rejection decided below the follow-up bar (0.8) without waiting for review, as a model
    # with a lower rejection threshold of its own decides it: neither list may offer it.
    with store.engine.begin() as conn:
        unsure = conn.execute(
            select(func.max(emails.c.id)).where(emails.c.kind == "rejection")
        ).scalar()
        conn.execute(
            update(emails).where(emails.c.id == unsure).values(confidence=0.7, needs_review=False)
        )
    listed = run("followup", home=home)
    assert listed.returncode == 0, listed.stderr
    cli = [int(n) for n in re.findall(r"--email (\d+) ", listed.stdout)]
    with serve(config, store) as server:
        page = _session(server).get("/followups").text
    dashboard = [int(n) for n in re.findall(r"/followups/(\d+)/draft", page)]
    assert len(cli) >= 2 and unsure not in cli
    assert dashboard == cli


def test_pages_forbid_scripts_and_escape_mail(live: Live) -> None:
    c = _session(live)
    r = c.get("/review")
    csp = r.headers["content-security-policy"]
    assert "script-src 'none'" in csp and "default-src 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    email_id = next(i for i in live.store.find_emails("<xss-1@mallory.example>"))["id"]
    text = c.get(f"/emails/{email_id}").text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)" in text
    html = c.get(f"/emails/{email_id}/original").text
    article = html.split('id="original">', 1)[1].split("</article>", 1)[0]
    assert "Thank you for applying to Mallory Corp." in article
    for bad in (
        "<script",
        "onerror",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<object",
        "<img",
        "tracker.example",
    ):
        assert bad not in article, bad


def test_the_email_page_gives_its_reasons_as_words_not_json(live: Live) -> None:
    c = _session(live)
    bearer = {"Authorization": f"Bearer {live.secrets.token}"}
    email_id = httpx.get(live.url + "/api/review", headers=bearer).json()[0]["id"]
    r = httpx.post(
        f"{live.url}/api/emails/{email_id}/label", json={"kind": "rejection"}, headers=bearer
    )
    assert r.status_code == 200
    text = c.get(f"/emails/{email_id}").text
    assert "Why: corrected by you</p>" in text and "[&#34;" not in text and '["' not in text


def test_api_validation_and_missing_rows(live: Live) -> None:
    bearer = {"Authorization": f"Bearer {live.secrets.token}"}
    r = httpx.post(live.url + "/api/checkins", json={"feeling": "happy"}, headers=bearer)
    assert r.status_code == 422
    assert httpx.get(live.url + "/api/applications/999999", headers=bearer).status_code == 404
    r = httpx.post(
        live.url + "/api/checkins", json={"feeling": "angry", "intensity": 5}, headers=bearer
    )
    assert r.status_code == 201
    body = r.json()
    assert len(body["suggestions"]) == 3 and "worth" in body["reminder"]


def test_the_check_in_card_says_in_person_not_by_in_person(live: Live) -> None:
    from datetime import UTC, datetime

    from onward.tracker.repo import Tracker

    Tracker(live.store).reject("Zephyr Ltd", "", "in-person", datetime.now(UTC))
    text = _session(live).get("/checkin").text
    assert "<strong>Zephyr Ltd</strong>, in person" in text and "by in-person" not in text


def test_the_check_in_history_names_every_rejection_it_covered(live: Live) -> None:
    from datetime import UTC, datetime, timedelta

    from onward.tracker.repo import Tracker

    bearer = {"Authorization": f"Bearer {live.secrets.token}"}
    earlier = {"feeling": "fine", "intensity": 1}  # answers what other tests left pending
    assert httpx.post(live.url + "/api/checkins", json=earlier, headers=bearer).status_code == 201
    now = datetime.now(UTC)
    for n, company in enumerate(("Quokka Ltd", "Wombat Co", "Numbat Inc")):
        Tracker(live.store).reject(company, "", "phone", now - timedelta(hours=3 - n))
    r = httpx.post(
        live.url + "/api/checkins", json={"feeling": "numb", "intensity": 2}, headers=bearer
    )
    assert r.status_code == 201
    [row] = [
        c
        for c in httpx.get(live.url + "/api/checkins", headers=bearer).json()
        if c["feeling"] == "numb"
    ]
    assert row["company"] == "Numbat Inc"
    assert row["companies"] == ["Numbat Inc", "Wombat Co", "Quokka Ltd"]


def test_schemathesis_finds_no_server_error(live: Live) -> None:
    """Every operation of the OpenAPI schema, fuzzed: no 5xx, responses match the schema."""
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    bearer = {"Authorization": f"Bearer {live.secrets.token}"}
    schema = schemathesis.openapi.from_url(live.url + "/openapi.json", headers=bearer)
    failures: list[str] = []
    calls: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()

        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=bearer)
            calls.append(f"{case.method} {response.status_code}")
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        test = op.as_strategy()
        from hypothesis import given

        try:
            given(test)(check)()
        except Exception as exc:  # collect, so one run reports every failing operation
            failures.append(f"{op.method.upper()} {op.path}: {exc}")
    assert not failures, "\n".join(failures)
    assert len(calls) >= 100 and any(c.startswith("POST 2") for c in calls), calls[:20]


def test_serve_listens_on_loopback_only(home: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "onward", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"ONWARD_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)},
    )
    try:
        assert proc.stdout is not None
        line = ""
        deadline = time.monotonic() + 30
        while "token=" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        url = line.strip()
        assert url.startswith("http://127.0.0.1:"), url
        port = int(url.split(":")[2].split("/")[0])
        for _ in range(100):
            try:
                r = httpx.get(url)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 303
        listening = [
            line.split()[1]
            for name in ("/proc/net/tcp", "/proc/net/tcp6")
            if Path(name).exists()
            for line in Path(name).read_text().splitlines()[1:]
            if line.split()[3] == "0A"  # LISTEN
        ]
        ours = [a for a in listening if a.endswith(f":{port:04X}")]
        assert ours == [f"0100007F:{port:04X}"], ours  # 127.0.0.1 only, no 0.0.0.0 or ::
    finally:
        proc.terminate()
        proc.wait(10)
