"""`onward demo`: the whole product on the bundled mailbox, in a throwaway home."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from onward.classify.service import classifier_for
from onward.config import Paths
from onward.demo import DEMO_MBOX
from onward.demo.deployment import show_deployment
from onward.mail.sources import open_path_source
from onward.progress import RichProgress
from onward.scan import Scanner
from onward.store import Store
from onward.store.emails import decided, last_sent_at
from onward.terminal import styled


def run_demo(out: Console) -> None:
    # The person's own folder, named before ONWARD_HOME points at a folder deleted at the end.
    own_config = Paths.default().config_dir
    with tempfile.TemporaryDirectory(prefix="onward-demo-") as home:
        os.environ["ONWARD_HOME"] = home  # nothing of the person's is read or written
        store = Store.for_path(Path(home) / "onward.db")
        out.print(
            styled(("onward demo", "bold"), f" in a temporary home ({home}), on {DEMO_MBOX.name}\n")
        )
        classifier = classifier_for(store)
        with RichProgress("Scanning demo mailbox") as progress:
            summary = Scanner(store, progress, classifier=classifier).run(
                open_path_source(DEMO_MBOX, "demo")
            )
        out.print(f"Scanned {summary.scanned} messages: {summary.new} new.")
        again = Scanner(store, classifier=classifier).run(open_path_source(DEMO_MBOX, "demo"))
        out.print(f"Scanned again: {again.new} new (a rescan never stores a message twice).\n")
        _show_job_mail(out, store)
        _show_tracker(out, store)
        _show_followups_and_archive(out, store, Path(home))
        _show_checkin(out, store, Path(home), own_config)
        _show_watch(out, store, Path(home))
        _show_dashboard(out, store, Path(home))
        store.close()
        show_deployment(out, Path(home))


def _show_job_mail(out: Console, store: Store) -> None:
    rows = decided(store)
    kinds = Counter(r.kind for r in rows)
    table = Table(title="Job mail onward recognised", show_lines=False)
    for col in ("date", "kind", "company", "role", "subject"):
        table.add_column(col)
    for r in rows:
        if r.kind == "not_job":
            continue
        kind = styled(r.kind.replace("_", " "), (" (review)" if r.needs_review else "", "yellow"))
        table.add_row(
            f"{r.sent_at:%b %d}" if r.sent_at else "", kind, r.company, r.role, r.subject[:48]
        )
    out.print(table)
    job = sum(n for k, n in kinds.items() if k != "not_job")
    review = sum(1 for r in rows if r.needs_review)
    out.print(
        f"\n{job} of {len(rows)} messages are job mail: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.most_common() if k != "not_job")
        + "."
    )
    screened = sum(1 for r in rows if r.model_version.endswith("+screen"))
    out.print(
        f"Of the other {len(rows) - job}, {screened} had no job-search word at all and were set "
        "aside by the screen without the model reading them."
    )
    out.print(
        f"{review} are uncertain and wait for you in `onward review`; "
        "`onward label MESSAGE_ID KIND` corrects one, and onward learns from it."
    )


def _show_tracker(out: Console, store: Store) -> None:
    from datetime import timedelta

    from onward.cli.render import print_status
    from onward.tracker.repo import Tracker
    from onward.tracker.status import status

    last = last_sent_at(store)
    # The demo mailbox ends in late October: look at it as its owner would have, two days on.
    now = (last.replace(tzinfo=last.tzinfo or UTC) if last else datetime.now(UTC)) + timedelta(
        days=2
    )
    tracker = Tracker(store, now=now)
    counts = tracker.link_pending()
    tracker.save("Kestrel Labs", "Data Platform Analyst")
    out.print(
        styled(
            ("\nThe tracker", "bold"),
            f" (as of {now:%b %d}): {counts['linked']} emails linked into "
            f"{counts['opened']} applications; {counts['review']} wait for you to pick one.",
        )
    )
    print_status(status(tracker))


def _show_followups_and_archive(out: Console, store: Store, home: Path) -> None:
    from rich.panel import Panel

    from onward.actions import followup as fu
    from onward.actions.archive import ArchiveOptions, archive
    from onward.config import Config
    from onward.mail.movers import mover_for
    from onward.store.followups import Followups
    from onward.store.journal import Journal

    config = Config.load()
    # The demo mailbox's owner, as `onward account add --address` would set it for a real one.
    config.data["followup"] = {"address": "sam.rivera@example.org", "name": "Sam Rivera"}
    waiting = Followups(store).without_followup()
    table = Table(title="Follow-ups drafted before archiving (never sent without you)")
    for col in ("company", "to", "draft"):
        table.add_column(col)
    shown = None
    for row in waiting:
        draft = fu.prepare(config, row, store=store)
        where = Path(fu.store_draft(config, store, draft))
        to = styled(
            str(draft.message.get("To") or ""),
            ("" if draft.message.get("To") else "nobody: it came from a no-reply robot", "yellow"),
        )
        table.add_row(row["company"] or row["from_addr"], to, where.name)
        if shown is None and draft.message.get("To"):
            shown = draft
    out.print()
    out.print(table)
    if shown is not None:
        m = shown.message
        head = f"To: {m['To']}\nSubject: {m['Subject']}\nIn-Reply-To: {m['In-Reply-To']}\n\n"
        panel = Panel(head + m.get_content().strip(), title="One of them", width=100)
        out.print(panel, soft_wrap=False)
    copy = home / "archive.mbox"
    report = archive(
        Journal(store),
        lambda _name: mover_for(open_path_source(DEMO_MBOX, "demo"), copy_to=copy),
        ArchiveOptions(),
    )
    out.print(
        styled(
            ("\nArchived", "bold"),
            f" {len(report.moved)} rejections (batch {report.batches}): the "
            "export itself is never modified; copies went to archive.mbox. On IMAP or a Maildir "
            "they move to 'Job search/Rejections', journaled, and `onward undo` puts them back.",
        )
    )


def _show_checkin(out: Console, store: Store, home: Path, own_config: Path) -> None:
    from onward.actions import checkin as ck
    from onward.cli.render import show_advice
    from onward.store.checkins import Checkins
    from onward.tracker.repo import Tracker

    last = Tracker(store).last_rejection()
    if last is None:
        return
    out.print(
        styled(
            ("\nA moment for you.", "bold"),
            f" After the rejection from {last['company']}, the next "
            "`onward` command at a terminal asks once how you feel (never in scripts or quiet "
            "hours). Here the demo answers 'angry, 4 of 5':",
        )
    )
    about = [{"event_id": last["id"], "application_id": last["application_id"]}]
    Checkins(store).record(datetime.now(UTC), "angry", 4, "demo", about)
    show_advice(ck.advise(ck.load(home), "angry", 4))
    out.print(
        f"The suggestions are yours to edit, in {own_config / ck.FILE} "
        "(written on your first check-in)."
    )


WATCHED = """\
From: Dana Whitfield <dana.whitfield@kestrel-labs.com>
To: Sam Rivera <sam.rivera@example.org>
Subject: Your application for Data Platform Analyst at Kestrel Labs
Date: {date}
Message-ID: <watched-1@kestrel-labs.com>

Hi Sam,

Thank you for your interest in the Data Platform Analyst position at Kestrel Labs and for the
time you invested in our process. After careful consideration, we have decided to move forward
with other candidates whose experience more closely matches our needs.

Best regards,
Dana Whitfield
Talent Acquisition, Kestrel Labs
"""


def _show_watch(out: Console, store: Store, home: Path) -> None:
    """What `onward watch` does with a rejection the moment it lands, on a Maildir here (the
    same code runs on an IMAP account in IDLE)."""
    import mailbox
    from email.utils import format_datetime

    from onward.config import Config
    from onward.watch.arrival import ArrivalActions
    from onward.watch.notify import Notifier
    from onward.watch.wake import Waker

    inbox = home / "watched-inbox"
    box = mailbox.Maildir(inbox, create=True)
    config = Config.load()
    config.data["followup"] = {
        "address": "sam.rivera@example.org",
        "name": "Sam Rivera",
        "before_archive": "draft",
    }
    config.data["watch"] = {"archive": True, "quiet_hours": ""}
    config.account_tables["inbox"] = {"type": "maildir", "path": str(inbox)}

    def say(line: str) -> None:
        out.print(f"  {line}", markup=False, highlight=False)

    out.print(
        styled(
            ("\nLet onward watch your inbox.", "bold"),
            " `onward watch` waits for mail (IMAP IDLE, or file events on a Maildir) and acts "
            "within seconds. A rejection lands:",
        )
    )
    waker = Waker(store, classifier_for(store), say)
    actions = ArrivalActions(config, store, Notifier([], say), say, lock=waker.lock)
    waker.arrivals = actions.arrived
    key = box.add(WATCHED.format(date=format_datetime(datetime.now(UTC))).encode())
    waker.wake("inbox", open_path_source(inbox, "inbox"), None)
    out.print("Later, you open it in your mail program (it is marked read):")
    msg = box[key]
    msg.set_subdir("cur")
    msg.add_flag("S")
    box[key] = msg
    with waker.lock:
        actions.tick()
    out.print(
        "`onward watch` shows that notification on the desktop (and on your phone with [watch] "
        "apprise_urls), holding it through quiet hours; `onward watch --install` starts it at "
        "every login."
    )


def _show_dashboard(out: Console, store: Store, home: Path) -> None:
    """Serve the dashboard on 127.0.0.1 for a moment and fetch every page, as a browser would."""
    import socket
    import threading
    import time
    import urllib.request

    import uvicorn

    from onward.config import Config
    from onward.web.app import create_app, new_secrets

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    secrets = new_secrets(port)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Config.load(), store, secrets),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    table = Table(title="The dashboard (`onward serve`): every page, fetched once")
    for col in ("page", "status", "ms", "what it shows"):
        table.add_column(col)
    pages = (
        ("Today", "/", "nudges, follow-ups due, a pending check-in"),
        ("Review", "/review", "uncertain messages to confirm or correct"),
        ("Applications", "/applications", "sortable table; timeline, add, edit, merge"),
        ("Insights", "/insights", "goal per week, where rejections happen, feelings"),
        ("Follow-ups", "/followups", "drafts and reminders"),
        ("Check-in", "/checkin", "how are you?"),
    )
    try:
        for name, path, what in pages:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Authorization": f"Bearer {secrets.token}"},
            )
            start = time.perf_counter()
            with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (our own loopback)
                code = r.status
            table.add_row(name, str(code), f"{(time.perf_counter() - start) * 1000:.0f}", what)
    finally:
        server.should_exit = True
        thread.join(10)
    out.print()
    out.print(table)
    out.print(
        "Run `onward serve` and open the link it prints: it listens on 127.0.0.1 only, every "
        "request needs its token, and no page runs a script."
    )
