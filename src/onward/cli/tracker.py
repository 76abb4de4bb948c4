"""Commands of the application tracker: save, apply, reject, edit, list, merge, split, link,
status, goal, export, import."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onward.cli.app import offers_checkin, open_store, out
from onward.cli.render import print_status
from onward.config import Config
from onward.terminal import visible
from onward.tracker.match import similar_company

if TYPE_CHECKING:
    from onward.tracker.repo import Tracker

# Options several commands share.
NewEmployer = Annotated[
    bool,
    typer.Option(
        "--new", help="COMPANY is a new employer, even if its name is close to one you have."
    ),
]
Url = Annotated[str, typer.Option(help="Link to the posting.")]
Note = Annotated[str, typer.Option(help="Anything to remember.")]


def tracker() -> Tracker:
    from onward.tracker.repo import Tracker

    return Tracker(open_store(Config.load()))


def _date(value: str | None) -> datetime | None:
    from onward.tracker.repo import TrackerError
    from onward.tracker.transfer import parse_date

    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise TrackerError(f"{value!r} is not a date (use YYYY-MM-DD).")
    return parsed


def save(
    company: Annotated[str, typer.Argument()] = "",
    role: Annotated[str, typer.Argument()] = "",
    url: Url = "",
    note: Note = "",
    from_alert: Annotated[
        int | None, typer.Option(help="Save every position a job-alert email lists (email id).")
    ] = None,
    new: NewEmployer = False,
) -> None:
    """Keep a position you mean to apply to (your wishlist)."""
    from onward.tracker.repo import TrackerError

    t = tracker()
    if from_alert is not None:
        from onward.tracker.alerts import read_alert

        found = t.store.find_emails(str(from_alert))
        if not found:
            raise TrackerError(f"No email with id {from_alert}.")
        postings = read_alert(found[0]["body"])
        if not postings:
            raise TrackerError("That email lists no positions onward can read.")
        for p in postings:
            app_id = t.save(p.company, p.role, p.url, note=f"from job alert {from_alert}")
            out.print(f"Saved #{app_id}: {p.role} at {p.company}.")
        return
    if not company or not role:
        raise TrackerError("Give COMPANY and ROLE, or --from-alert EMAIL_ID.")
    company = _employer(t, company, new)
    app_id = t.save(company, role, url, note)
    out.print(f"Saved #{app_id}: {role} at {company}.")


def apply(
    company: str,
    role: str,
    date: Annotated[str | None, typer.Option(help="When (YYYY-MM-DD); default today.")] = None,
    source: Annotated[str, typer.Option(help="Where you found it.")] = "",
    url: Url = "",
    note: Note = "",
    new: NewEmployer = False,
) -> None:
    """Record an application (a saved position moves on)."""
    t = tracker()
    company = _employer(t, company, new)
    app_id = t.apply(company, role, _date(date), source, url, note)
    out.print(f"Recorded application #{app_id}: {role} at {company}.")


def reject(
    company: str,
    role: Annotated[str, typer.Argument()] = "",
    via: Annotated[str, typer.Option(help="phone, in-person or email.")] = "phone",
    date: Annotated[str | None, typer.Option(help="When (YYYY-MM-DD).")] = None,
    note: Annotated[str, typer.Option(help="What they said.")] = "",
    new: NewEmployer = False,
) -> None:
    """Record a "no" you heard on the phone, face to face, or by mail onward did not see."""
    from onward.tracker.repo import TrackerError

    if via not in ("phone", "in-person", "email"):
        raise TrackerError("--via is phone, in-person or email.")
    t = tracker()
    company = _employer(t, company, new)
    app_id = t.reject(company, role, via, _date(date), note)
    out.print(f"Recorded the rejection on #{app_id} ({company}). It is one door, not the search.")


def edit(
    application: int,
    company: Annotated[str | None, typer.Option()] = None,
    role: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option(help="e.g. interview, withdrawn")] = None,
    url: Annotated[str | None, typer.Option()] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Change an application by hand."""
    tracker().edit(application, company=company, role=role, status=status, url=url, note=note)
    out.print(f"Updated #{application}.")


def list_(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Your applications."""
    t = tracker()
    t.refresh_all()
    apps = t.apps(status)
    if as_json:
        rows = [
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in a.items()}
            for a in apps
        ]
        print(json.dumps(rows, ensure_ascii=False))  # noqa: T201 (machine-readable)
        return
    table = Table("id", "company", "role", "status", "applied", "last contact")
    for a in apps:
        table.add_row(
            str(a["id"]),
            a["company"],
            a["role"],
            a["status"],
            f"{a['applied_at']:%Y-%m-%d}" if a["applied_at"] else "",
            f"{a['last_contact_at']:%Y-%m-%d}" if a["last_contact_at"] else "",
        )
    out.print(table)


def merge(keep: int, other: int) -> None:
    """Merge application OTHER into KEEP (their emails and events move)."""
    tracker().merge(keep, other)
    out.print(f"Merged #{other} into #{keep}.")


def delete(
    application: int,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask (for scripts).")] = False,
) -> None:
    """Delete an application entered by mistake (`onward undo` brings it back)."""
    from onward.tracker.repo import TrackerError

    t = tracker()
    plan = t.deletion_plan(application)
    out.print(plan.describe(), highlight=False)
    if not yes:
        if not sys.stdin.isatty():
            raise TrackerError(f"Nothing deleted: pass --yes to delete #{application}.")
        if not typer.confirm(visible("Delete it?"), default=False):
            out.print("Nothing deleted.")
            return
    batch = t.delete_application(application)
    out.print(f"Deleted #{application} (batch {batch}; `onward undo {batch}` brings it back).")


def split(
    application: int,
    email_id: int,
    role: Annotated[str | None, typer.Option(help="Role of the new application.")] = None,
) -> None:
    """Move one email out of an application into a new one."""
    new = tracker().split(application, email_id, role=role)
    out.print(f"Email {email_id} now belongs to new application #{new}.")


def link(
    email_id: int,
    application: Annotated[str, typer.Argument(help="An application id, or 'new'.")],
    company: Annotated[
        str, typer.Option(help="The new application's employer, if the email names none.")
    ] = "",
    role: Annotated[
        str, typer.Option(help="The new application's role, if the email names none.")
    ] = "",
    new: Annotated[
        bool,
        typer.Option(
            "--new",
            help="--company names a new employer, even if its name is close to one you have.",
        ),
    ] = False,
) -> None:
    """Answer the link review queue: attach an email to an application, or to a new one."""
    from onward.tracker.repo import TrackerError

    t = tracker()
    target = _application_id(application)
    if target is None:
        if company.strip():
            company = _employer(t, company.strip(), new)
        company, role = _new_names(t.email(email_id), company.strip(), role.strip())
    elif company or role:
        raise TrackerError(
            f"--company and --role name a new application; to change #{target}, use "
            f"`onward edit {target}`."
        )
    app_id = t.attach(email_id, target, company, role)
    out.print(f"Email {email_id} is linked to #{app_id}.")


def _employer(t: Tracker, company: str, new: bool) -> str:
    """The employer the person typed, or the known one it is probably a slip for (asked at a
    terminal; elsewhere refused unless --new says it is another employer)."""
    from onward.tracker.repo import TrackerError

    close = None if new else similar_company(company, {a["company"] for a in t.apps()})
    if close is None:
        return company
    if not sys.stdin.isatty():
        raise TrackerError(
            f"No application at {company!r} yet: did you mean {close!r} "
            f"(or pass --new to add {company!r})?"
        )
    question = f"No application at {company} yet: did you mean {close}? (no: add {company})"
    return close if typer.confirm(visible(question), default=True) else company


def _application_id(value: str) -> int | None:
    """An application's id from the command line, or None for 'new'."""
    from onward.tracker.repo import TrackerError

    if value.strip().lower() == "new":
        return None
    if not value.strip().lstrip("#").isdigit():
        raise TrackerError(
            f"{value!r} is neither an application id nor 'new' (`onward list` shows the ids)."
        )
    return int(value.strip().lstrip("#"))


def _new_names(e: dict[str, Any], company: str, role: str) -> tuple[str, str]:
    """The employer and role of a new application for email `e`: the options, else what the
    email names, else asked at a terminal. Never a blank employer."""
    from onward.tracker.repo import TrackerError

    company, role = company or e["company"], role or e["role"]
    if sys.stdin.isatty() and not (company and role):
        missing = " or ".join(w for w, v in (("employer", company), ("role", role)) if not v)
        out.print(f"Email {e['id']} ({e['subject'][:60]!r}) names no {missing}.", highlight=False)
        if not company:
            company = typer.prompt(visible("Its employer"), default="", show_default=False)
        if not role:
            role = typer.prompt(
                visible("Its role (Enter if you do not know)"), default="", show_default=False
            )
    if not company.strip():
        raise TrackerError(
            f"Email {e['id']} names no employer: pass --company NAME (and --role ROLE) "
            "to open its application."
        )
    return company.strip(), role.strip()


def goal(
    per_week: int,
    ghost_after: Annotated[
        int | None,
        typer.Option(help="Days without a word before an application counts as ghosted (21)."),
    ] = None,
) -> None:
    """Set your weekly application goal (and, if you like, when silence means ghosted)."""
    from onward.tracker.repo import TrackerError

    if per_week < 0:
        raise TrackerError("A goal is zero or more applications a week.")
    t = tracker()
    t.set_setting("weekly_goal", str(per_week))
    out.print(f"Weekly goal: {per_week} applications.")
    if ghost_after is not None:
        if ghost_after < 1:
            raise TrackerError("--ghost-after is at least one day.")
        t.set_setting("ghost_days", str(ghost_after))
        out.print(f"An application is ghosted after {ghost_after} days without a word.")


def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Where your search stands, and what to do next."""
    from onward.actions.followup import figures as followup_figures
    from onward.tracker.status import status as standing

    t = tracker()
    figures = standing(t)
    figures["followups"] = followup_figures(t.store, t.now)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))  # noqa: T201
        return
    print_status(figures)


def export_(
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    output: Annotated[Path | None, typer.Option(help="File (default: stdout).")] = None,
) -> None:
    """Export applications and their events."""
    from onward.tracker.repo import TrackerError
    from onward.tracker.transfer import export

    if fmt not in ("csv", "json"):
        raise TrackerError("--format is csv or json.")
    t = tracker()
    apps = t.apps()
    text = export(apps, {a["id"]: t.events_of(a["id"]) for a in apps}, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"Wrote {len(apps)} applications to {output}.")
    else:
        print(text, end="")  # noqa: T201


def import_(
    file: Path, dry_run: Annotated[bool, typer.Option("--dry-run", help="Preview only.")] = False
) -> None:
    """Import a tracker export (Huntr, Teal, or a spreadsheet saved as CSV)."""
    from onward.tracker.transfer import read_csv

    t = tracker()
    rows, notes = read_csv(file, t.apps())
    table = Table("company", "role", "status", "date", "action", title=f"{file.name}")
    for r in rows:
        table.add_row(
            r.company,
            r.role,
            r.status,
            f"{r.date:%Y-%m-%d}" if r.date else "",
            "skip (already tracked)" if r.duplicate else "add",
        )
    out.print(table)
    for note in notes:
        out.print(note, markup=False, highlight=False)
    new = [r for r in rows if not r.duplicate]
    if dry_run:
        out.print(f"Dry run: {len(new)} would be added, {len(rows) - len(new)} skipped.")
        return
    added = t.import_rows(rows, f"import:{file.name}")
    out.print(f"Imported {added} applications; skipped {len(rows) - added} already tracked.")


def register(app: typer.Typer) -> None:
    app.command()(offers_checkin(save))
    app.command()(offers_checkin(apply))
    app.command()(offers_checkin(reject))
    app.command()(offers_checkin(edit))
    app.command("list")(offers_checkin(list_))
    app.command()(offers_checkin(merge))
    app.command()(offers_checkin(delete))
    app.command()(offers_checkin(split))
    app.command()(offers_checkin(link))
    app.command()(offers_checkin(goal))
    app.command()(offers_checkin(status))
    app.command("export")(offers_checkin(export_))
    app.command("import")(offers_checkin(import_))
