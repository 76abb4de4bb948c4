"""The "as sent" view within bounds: the three reproductions of issue 12 item 11 (1 MB of nested
<div>, a 50 MB base64 HTML body, 1,000 nested multiparts), each through the pure function, the
mail sources (files, mbox, a real Dovecot) and the real dashboard, each under a time bound."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from onward.accounts import account_source
from onward.config import parse_account
from onward.mail.original import (
    MAX_BYTES,
    TOO_BIG,
    TooBig,
    nests_deeper_than,
    read_original,
    safe_html,
)
from onward.mail.sources import open_path_source
from tests.dovecot import Dovecot, new_user
from tests.factory import mbox_bytes
from tests.webserver import Live, build_home, serve

SECONDS = 5.0  # generous: each case takes well under a second here


def html_mail(mid: str, html: str, cte: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Recruiting <jobs@deep.example>"
    msg["To"] = "sam@example.com"
    msg["Subject"] = f"Your application ({mid})"
    msg["Message-ID"] = f"<{mid}@deep.example>"
    msg["Date"] = "Mon, 16 Nov 2026 10:00:00 +0000"
    msg.set_content("Thank you for applying. Unfortunately we will not move forward.")
    msg.add_alternative(html, subtype="html", **({"cte": cte} if cte else {}))
    return msg.as_bytes()


def deep_divs() -> bytes:
    return html_mail("divs", "<div>" * (1024 * 1024 // 5), cte="base64")


def huge_html() -> bytes:
    return html_mail("huge", ("<p>" + "y" * 70 + "</p>\n") * (50 * 1024 * 1024 // 78), "base64")


def nested_multiparts(levels: int = 1000) -> bytes:
    out = [
        b"From: Recruiting <jobs@deep.example>\r\nTo: sam@example.com\r\n"
        b"Subject: Your application (nested)\r\nMessage-ID: <nested@deep.example>\r\n"
        b"Date: Mon, 16 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    ]
    for i in range(levels):
        out.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    out.append(b"Content-Type: text/html\r\n\r\n<p>Thank you for applying.</p>\r\n")
    out.extend(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return b"".join(out)


HOSTILE = {"divs": deep_divs, "huge": huge_html, "nested": nested_multiparts}


def timed_too_big(raw: bytes) -> float:
    start = time.perf_counter()
    with pytest.raises(TooBig):
        safe_html(raw)
    return time.perf_counter() - start


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_show_as_sent_refuses_each_reproduction_quickly(case: str) -> None:
    assert timed_too_big(HOSTILE[case]()) < SECONDS


def test_markup_that_fools_the_depth_measure_is_stopped_by_the_time_limit() -> None:
    """An end tag inside an attribute: the estimate sees <div> closed, the parser does not."""
    raw = html_mail("fool", '<div><br title="</div>">' * (1024 * 1024 // 25 - 10), "base64")
    assert timed_too_big(raw) < SECONDS


def test_ordinary_html_is_still_shown_as_sent() -> None:
    rows = "<tr><td><p>Hello <b>Sam</b>, <a href='https://acme.example/jobs'>jobs</a>" * 3000
    html = f"<html><body><ul><li>a<ul><li>b</ul></ul><table>{rows}</table></body></html>"
    start = time.perf_counter()
    out = safe_html(html_mail("ok", html))
    assert out is not None and out.count("<b>Sam</b>") == 3000
    assert 'href="https://acme.example/jobs"' in out and "noopener" in out
    assert time.perf_counter() - start < SECONDS


def test_the_depth_measure_reads_unclosed_lists_and_tables_as_flat() -> None:
    assert not nests_deeper_than("<table><tr><td>a<td>b<tr><td>c</table>" * 1000, 8)
    assert not nests_deeper_than("<dl><dt>a<dd>b<dt>c</dl><p>x<p>y<li>z<li>w" * 1000, 8)
    assert not nests_deeper_than("<br><img src=x><hr>" * 1000, 2)
    assert nests_deeper_than("<div>" * 9, 8)
    assert not nests_deeper_than("<div><span></div>" * 9, 8)


def test_sources_read_no_more_than_the_bound(tmp_path: Path) -> None:
    big = huge_html()
    assert len(big) > MAX_BYTES
    (tmp_path / "eml").mkdir()
    (tmp_path / "eml" / "big.eml").write_bytes(big)
    source = open_path_source(tmp_path / "eml", "eml")
    with pytest.raises(TooBig):
        read_original(source, "", "big.eml")
    small = nested_multiparts(3)
    (tmp_path / "mail.mbox").write_bytes(mbox_bytes([small, big]))
    mbox = open_path_source(tmp_path / "mail.mbox", "mbox")
    assert read_original(mbox, "", "0") is not None
    offset = (tmp_path / "mail.mbox").read_bytes().index(b"\nFrom ", 10) + 1
    with pytest.raises(TooBig):
        read_original(mbox, "", str(offset))


def test_imap_fetches_at_most_the_bound(dovecot: Dovecot) -> None:
    user = new_user()
    dovecot.seed(user, [html_mail("small", "<p>Hello</p>"), huge_html()])
    source = account_source(parse_account("work", dovecot.account(user)))[0]
    try:
        raw = read_original(source, "INBOX", "1")
        assert raw is not None and (safe_html(raw) or "").strip() == "<p>Hello</p>"
        start = time.perf_counter()
        with pytest.raises(TooBig):
            read_original(source, "INBOX", "2")
        assert time.perf_counter() - start < SECONDS
    finally:
        source.close()


@pytest.fixture(scope="module")
def hostile_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("hostile")
    box = root / "hostile.mbox"
    box.write_bytes(mbox_bytes([make() for make in HOSTILE.values()]))
    config, store = build_home(root / "home", [box])
    with serve(config, store) as server:
        yield server


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_dashboard_shows_the_text_of_each_reproduction(hostile_live: Live, case: str) -> None:
    live = hostile_live
    email_id = live.store.find_emails(f"<{case}@deep.example>")[0]["id"]
    c = httpx.Client(base_url=live.url, timeout=60)
    c.get("/", params={"token": live.secrets.token})
    start = time.perf_counter()
    r = c.get(f"/emails/{email_id}/original")
    assert time.perf_counter() - start < SECONDS
    assert r.status_code == 200
    assert TOO_BIG in r.text and 'id="original"' not in r.text
    assert 'id="body"' in r.text  # its stored text instead
