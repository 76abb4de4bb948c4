"""`onward demo`: the whole product on the bundled mailbox, in a throwaway home."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from onward.classify.service import classifier_for
from onward.demo import DEMO_MBOX
from onward.mail.sources import open_path_source
from onward.progress import RichProgress
from onward.scan import Scanner
from onward.store import Store
from onward.store.schema import emails


def run_demo(out: Console) -> None:
    with tempfile.TemporaryDirectory(prefix="onward-demo-") as home:
        os.environ["ONWARD_HOME"] = home  # nothing of the person's is read or written
        store = Store.for_path(Path(home) / "onward.db")
        out.print(f"[bold]onward demo[/] in a temporary home ({home}), on {DEMO_MBOX.name}\n")
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
        store.close()


def _show_job_mail(out: Console, store: Store) -> None:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                emails.c.sent_at,
                emails.c.kind,
                emails.c.confidence,
                emails.c.needs_review,
                emails.c.company,
                emails.c.role,
                emails.c.subject,
            ).order_by(emails.c.sent_at)
        ).all()
    kinds = Counter(r.kind for r in rows)
    table = Table(title="Job mail onward recognised", show_lines=False)
    for col in ("date", "kind", "company", "role", "subject"):
        table.add_column(col)
    for r in rows:
        if r.kind == "not_job":
            continue
        kind = r.kind.replace("_", " ") + (" [yellow](review)[/]" if r.needs_review else "")
        table.add_row(
            f"{r.sent_at:%b %d}" if r.sent_at else "", kind, r.company, r.role, r.subject[:48]
        )
    out.print(table)
    job = sum(n for k, n in kinds.items() if k != "not_job")
    review = sum(1 for r in rows if r.needs_review and r.kind != "not_job")
    out.print(
        f"\n{job} of {len(rows)} messages are job mail: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.most_common() if k != "not_job")
        + "."
    )
    out.print(
        f"{review} are uncertain and wait for you in `onward review`; "
        "`onward label MESSAGE_ID KIND` corrects one, and onward learns from it."
    )


def _show_tracker(out: Console, store: Store) -> None:
    from datetime import timedelta

    from sqlalchemy import func

    from onward.cli_tracker import print_status
    from onward.tracker import insights
    from onward.tracker.repo import Tracker

    with store.engine.connect() as conn:
        last = conn.execute(select(func.max(emails.c.sent_at))).scalar()
    # The demo mailbox ends in late October: look at it as its owner would have, two days on.
    now = (last.replace(tzinfo=last.tzinfo or UTC) if last else datetime.now(UTC)) + timedelta(
        days=2
    )
    tracker = Tracker(store, now=now)
    counts = tracker.link_pending()
    tracker.save("Kestrel Labs", "Data Platform Analyst")
    out.print(
        f"\n[bold]The tracker[/] (as of {now:%b %d}): {counts['linked']} emails linked into "
        f"{counts['opened']} applications; {counts['review']} wait for you to pick one."
    )
    tracker.refresh_all()
    figures = insights.status(tracker.apps(), now, 5)
    figures["links_to_review"] = counts["review"]
    print_status(figures)


def _show_followups_and_archive(out: Console, store: Store, home: Path) -> None:
    from rich.panel import Panel

    from onward.actions import followup as fu
    from onward.actions.archive import ArchiveOptions, archive
    from onward.config import Config
    from onward.mail.movers import mover_for
    from onward.store.followups import Followups
    from onward.store.journal import Journal

    config = Config.load()
    waiting = Followups(store).without_followup()
    table = Table(title="Follow-ups drafted before archiving (never sent without you)")
    for col in ("company", "to", "draft"):
        table.add_column(col)
    shown = None
    for row in waiting:
        draft = fu.prepare(config, row)
        where = Path(fu.store_draft(config, store, draft))
        to = draft.message.get("To") or "[yellow]nobody: it came from a no-reply robot[/]"
        table.add_row(row["company"] or row["from_addr"], str(to), where.name)
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
        f"\n[bold]Archived[/] {len(report.moved)} rejections (batch {report.batches}): the "
        "export itself is never modified; copies went to archive.mbox. On IMAP or a Maildir "
        "they move to 'Job search/Rejections', journaled, and `onward undo` puts them back."
    )
