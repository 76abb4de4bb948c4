"""A real dashboard for the tests: a home with the demo mailbox (plus any extra mail) scanned,
served by uvicorn on 127.0.0.1 in a thread, with known secrets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from onward.classify.service import classifier_for
from onward.config import Config, Paths
from onward.demo import DEMO_MBOX
from onward.mail.sources import open_path_source
from onward.scan import Scanner
from onward.store import Store
from onward.tracker.repo import Tracker
from onward.web.app import create_app
from onward.web.security import Secrets

XSS_HTML = """<html><body>
<p id="greeting">Thank you for applying to Mallory Corp.</p>
<script>window.__xss_script = 1; console.log('XSS-SCRIPT');</script>
<img src="x" onerror="window.__xss_onerror = 1; console.log('XSS-ONERROR')">
<a id="jslink" href="javascript:window.__xss_link = 1; console.log('XSS-LINK')">see your status</a>
<div onmouseover="window.__xss_hover = 1">hover me</div>
<svg><script>window.__xss_svg = 1</script></svg>
<iframe src="javascript:parent.__xss_iframe = 1"></iframe>
<object data="javascript:parent.__xss_object = 1"></object>
<style>@import url(http://tracker.example/x.css);</style>
<p>Unfortunately we will not move forward with your application.</p>
</body></html>"""


def xss_mbox(path: Path) -> Path:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Mallory Corp Recruiting <jobs@mallory.example>"
    msg["To"] = "sam@example.com"
    msg["Subject"] = "Your application to Mallory Corp <script>alert(1)</script>"
    msg["Message-ID"] = "<xss-1@mallory.example>"
    msg["Date"] = "Mon, 16 Nov 2026 10:00:00 +0000"
    msg.set_content("Unfortunately we will not move forward with your application.")
    msg.add_alternative(XSS_HTML, subtype="html")
    path.write_bytes(b"From jobs@mallory.example Mon Nov 16 10:00:00 2026\n" + msg.as_bytes())
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    secrets: Secrets
    store: Store
    config: Config

    def login(self) -> str:
        return f"{self.url}/?token={self.secrets.token}"


def build_home(home: Path, extra: list[Path] = ()) -> tuple[Config, Store]:  # type: ignore[assignment]
    home.mkdir(parents=True, exist_ok=True)
    config = Config(Paths(home, home), {})
    store = Store.for_path(home / "onward.db")
    classifier = classifier_for(store)
    for path in [DEMO_MBOX, *extra]:
        Scanner(store, classifier=classifier).run(open_path_source(path, str(path)))
    Tracker(store).link_pending()
    return config, store


@contextmanager
def serve(config: Config, store: Store, token: str = "test-token-" + "x" * 20) -> Iterator[Live]:
    port = free_port()
    secrets = Secrets.for_port(token, "test-csrf-" + "y" * 20, port)
    app = create_app(config, store, secrets)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.01)
    try:
        yield Live(f"http://127.0.0.1:{port}", secrets, store, config)
    finally:
        server.should_exit = True
        thread.join(10)
