"""`onward demo`: the whole product on the bundled mailbox, in a throwaway home."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from onward.demo import DEMO_MBOX
from onward.mail.sources import open_path_source
from onward.progress import RichProgress
from onward.scan import Scanner
from onward.store import Store


def run_demo(out: Console) -> None:
    with tempfile.TemporaryDirectory(prefix="onward-demo-") as home:
        os.environ["ONWARD_HOME"] = home  # nothing of the person's is read or written
        store = Store.for_path(Path(home) / "onward.db")
        out.print(f"[bold]onward demo[/] in a temporary home ({home}), on {DEMO_MBOX.name}\n")
        with RichProgress("Scanning demo mailbox") as progress:
            summary = Scanner(store, progress).run(open_path_source(DEMO_MBOX, "demo"))
        out.print(f"Scanned {summary.scanned} messages: {summary.new} new.")
        again = Scanner(store).run(open_path_source(DEMO_MBOX, "demo"))
        out.print(f"Scanned again: {again.new} new (a rescan never stores a message twice).\n")
        _show_mail(out, store)
        store.close()


def _show_mail(out: Console, store: Store) -> None:
    from sqlalchemy import select

    from onward.store.schema import emails

    table = Table(title="What onward found", show_lines=False)
    table.add_column("date")
    table.add_column("from")
    table.add_column("subject")
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                emails.c.sent_at, emails.c.from_name, emails.c.from_addr, emails.c.subject
            ).order_by(emails.c.sent_at)
        ).all()
    for sent, name, addr, subject in rows:
        table.add_row(f"{sent:%Y-%m-%d}" if sent else "", name or addr, subject)
    out.print(table)
