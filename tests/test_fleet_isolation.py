"""A deployment's people are kept apart: no command and no dashboard request of one person
returns or changes another's data, and removing a person removes everything of theirs.

Two people, Ada and Ben, each with mail from employers only they applied to, synced into a real
PostgreSQL; Ada then uses every command a person may run, and her dashboard, while Ben's data is
fingerprinted before and after.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.postgres import pg_bin
from tests.runner import SRC, run

# Each person's employers and addresses: any of these in the other's output is a leak.
MARKS = {
    "ada": ("Aldergrove Analytics", "Quillfeather", "ada.lovelace@home.example"),
    "ben": ("Bramblecorp", "Thistlewick", "ben.okafor@home.example"),
}


def _mail(who: str, i: int, kind: str, company: str) -> bytes:
    domain = company.split()[0].lower() + ".example"
    msg = EmailMessage()
    msg["From"] = f"Priya Shah <priya@{domain}>"
    msg["To"] = MARKS[who][2]
    msg["Date"] = format_datetime(datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(days=i))
    msg["Message-ID"] = f"<{who}-{i}@{domain}>"
    if kind == "received":
        msg["Subject"] = f"Thank you for applying to {company}"
        body = (
            f"Hi,\n\nThank you for applying for the Data Analyst role at {company}. "
            "We have received your application and our team will review it.\n\nPriya"
        )
    else:
        msg["Subject"] = f"Your application to {company}"
        body = (
            f"Hi,\n\nThank you for your interest in the Data Analyst role at {company}. "
            "Unfortunately we have decided not to move forward with your application.\n\nPriya"
        )
    msg.set_content(body)
    return msg.as_bytes()


def _mbox(path: Path, who: str) -> Path:
    first, second, _ = MARKS[who]
    mails = [
        _mail(who, 0, "received", first),
        _mail(who, 1, "received", second),
        _mail(who, 5, "rejection", first),
    ]
    path.write_bytes(
        b"".join(
            b"From x@y Mon Nov  2 09:00:00 2026\n" + m.replace(b"\nFrom ", b"\n>From ") + b"\n"
            for m in mails
        )
    )
    return path


@dataclass
class Deployment:
    url: str
    home: Path

    def onward(self, *args: str, person: str | None = None) -> subprocess.CompletedProcess[str]:
        who = ("--person", person) if person else ()
        return run("--db", self.url, *who, *args, home=self.home, timeout=120)

    def fingerprint(self, person: str) -> dict[str, str]:
        """Every table of the person's schema, its rows hashed in a stable order."""
        engine = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            schema = conn.execute(
                text("SELECT schema FROM onward_fleet.people WHERE name = :n"), {"n": person}
            ).scalar_one()
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"),
                {"s": schema},
            ).scalars()
            out = {
                t: conn.execute(
                    text(
                        f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' "
                        f"ORDER BY t::text)), '') FROM {schema}.\"{t}\" t"
                    )
                ).scalar_one()
                for t in list(tables)
            }
        engine.dispose()
        return out


@pytest.fixture
def deployment(postgres_server: str, tmp_path: Path) -> Iterator[Deployment]:
    import uuid

    import psycopg

    from onward.fleet.sync import sync_account
    from onward.store.fleet import Fleet

    name = f"fleet_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    d = Deployment(f"{postgres_server}/{name}", tmp_path / "home")
    for who in ("ada", "ben"):
        assert d.onward("people", "add", who).returncode == 0
        mbox = _mbox(tmp_path / f"{who}.mbox", who)
        added = d.onward("account", "add", "mail", "--person", who, "--path", str(mbox))
        assert added.returncode == 0, added.stderr
    with Fleet(d.url) as fleet:
        for row in fleet.status():
            assert row["queue"] == "files"
        for account_id in range(1, 3):
            assert sync_account(fleet, account_id).outcome == "synced"
    yield d


def _leaks(text_: str, other: str) -> list[str]:
    return [m for m in MARKS[other] if m.lower() in text_.lower()]


def test_each_persons_commands_read_only_their_own_mail(deployment: Deployment) -> None:
    for who, other in (("ada", "ben"), ("ben", "ada")):
        listed = deployment.onward("list", "--json", person=who)
        assert listed.returncode == 0, listed.stderr
        companies = {a["company"] for a in json.loads(listed.stdout)}
        assert companies == set(MARKS[who][:2])
        for args in (
            ("status", "--json"),
            ("review", "--json"),
            ("export", "--format", "json"),
            ("batches",),
            ("checkin", "--history"),
        ):
            done = deployment.onward(*args, person=who)
            assert done.returncode == 0, (args, done.stderr)
            assert _leaks(done.stdout + done.stderr, other) == [], args


def test_a_persons_changes_leave_everyone_elses_data_as_it_was(deployment: Deployment) -> None:
    before = deployment.fingerprint("ben")
    ada = deployment.fingerprint("ada")
    for args in (
        ("apply", "Zephyrine Labs", "Analyst"),
        ("reject", "Zephyrine Labs", "--via", "phone"),
        ("goal", "7"),
        ("label", "1", "interview"),
        ("edit", "1", "--note", "called back"),
        ("checkin", "--feeling", "sad", "--intensity", "3"),
        ("delete", "2", "--yes"),
    ):
        done = deployment.onward(*args, person="ada")
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert deployment.fingerprint("ben") == before
    assert deployment.fingerprint("ada") != ada  # the changes happened, where they belong
    listed = deployment.onward("list", "--json", person="ben")
    assert "Zephyrine" not in listed.stdout


def test_commands_on_this_computers_own_mail_refuse_a_person(deployment: Deployment) -> None:
    for args in (("scan",), ("archive",), ("followup", "1"), ("watch",)):
        done = deployment.onward(*args, person="ada")
        assert done.returncode == 2, args
        assert "not a person's" in " ".join(done.stderr.split()), args


def test_an_unknown_person_is_named_not_created(deployment: Deployment) -> None:
    done = deployment.onward("status", person="cyd")
    assert done.returncode == 1
    assert "No person named 'cyd'" in done.stderr
    assert "cyd" not in deployment.onward("people", "list", "--json").stdout
    # Without --person, a command would make a person's tables in the queue's schema.
    nobody = deployment.onward("status")
    assert nobody.returncode == 1 and "say whose with --person" in nobody.stderr


def _serve(deployment: Deployment, person: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onward",
            "--db",
            deployment.url,
            "--person",
            person,
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            "ONWARD_HOME": str(deployment.home),
            "HOME": str(deployment.home),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(SRC),
        },
    )
    assert proc.stdout is not None
    for _ in range(5):
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", line)
        if found:
            return proc, found.group(1), found.group(2)
    proc.kill()
    raise AssertionError(f"no dashboard URL: {proc.stderr.read() if proc.stderr else ''}")


def _operators_own_mail(deployment: Deployment, tmp: Path) -> None:
    """The computer serving the dashboard has an account of its own named like the people's,
    holding the operator's mail (a text part and an HTML part, so an original would show)."""
    import tomli_w

    msg = EmailMessage()
    msg["From"] = "Operatorco HR <hr@operatorco.example>"
    msg["To"] = "operator@home.example"
    msg["Subject"] = "Operatorco payroll"
    msg["Message-ID"] = "<op-1@operatorco.example>"
    msg.set_content("Operatorco payroll for the month.")
    msg.add_alternative("<p>Operatorco payroll for the month.</p>", subtype="html")
    mbox = tmp / "operator.mbox"
    mbox.write_bytes(b"From x@y Mon Nov  2 09:00:00 2026\n" + msg.as_bytes() * 1 + b"\n")
    deployment.home.mkdir(parents=True, exist_ok=True)
    (deployment.home / "config.toml").write_bytes(
        tomli_w.dumps({"accounts": {"mail": {"type": "mbox", "path": str(mbox)}}}).encode()
    )


def test_a_persons_dashboard_shows_and_changes_only_their_data(
    deployment: Deployment, tmp_path: Path
) -> None:
    _operators_own_mail(deployment, tmp_path)
    before = deployment.fingerprint("ada")
    proc, base, token = _serve(deployment, "ben")
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as web:
            seen = []
            pages = ["/", "/review", "/applications", "/insights", "/followups", "/checkin"]
            pages += ["/api/status", "/api/applications", "/api/review", "/api/checkins"]
            # Every id either person has: another person's id must never reach their row.
            pages += [f"/applications/{i}" for i in range(1, 6)]
            pages += [f"/api/applications/{i}" for i in range(1, 6)]
            pages += [f"/emails/{i}" for i in range(1, 8)]
            # Read back from the person's own mailbox, never this computer's of the same name.
            pages += [f"/emails/{i}/original" for i in range(1, 4)]
            for page in pages:
                r = web.get(page)
                assert r.status_code in (200, 404), (page, r.status_code)
                seen.append(r.text)
                assert _leaks(r.text, "ada") == [], page
                assert "Operatorco" not in r.text, page
            assert any("Bramblecorp" in s for s in seen)
            made = web.post("/api/applications", json={"company": "Yarrowby", "role": "Analyst"})
            assert made.status_code == 201, made.text
            labelled = web.post("/api/emails/1/label", json={"kind": "interview"})
            assert labelled.status_code == 200, labelled.text
            drafted = web.post("/followups/3/draft")  # Ben's rejection
            assert drafted.status_code == 303, drafted.text
    finally:
        proc.terminate()
        proc.wait(10)
    assert deployment.fingerprint("ada") == before
    # His draft (his account is an export onward cannot write to) is a file of his own.
    drafts = sorted(p.relative_to(deployment.home) for p in deployment.home.rglob("*.eml"))
    assert len(drafts) == 1 and drafts[0].parts[0] == "people" and drafts[0].parts[2] == "drafts"
    assert drafts[0].parts[1].endswith("-p000002")  # his database's schema: his alone
    assert b"Bramblecorp" in (deployment.home / drafts[0]).read_bytes()
    # Removing him removes the files his dashboard wrote on this computer too.
    assert deployment.onward("people", "remove", "ben", "--yes").returncode == 0
    assert list(deployment.home.rglob("*.eml")) == []


def test_removing_a_person_removes_everything_of_theirs(deployment: Deployment) -> None:
    from onward.fleet.worker import defer_due, ensure_queue, make_app
    from onward.store.fleet import Fleet

    app = make_app(deployment.url)
    with Fleet(deployment.url) as fleet:
        ensure_queue(fleet)
        fleet.make_due()
        with app.open():
            sync_task = app.tasks["onward.sync_account"]
            assert defer_due(fleet, sync_task.configure) == 2  # a queued sync for each
    removed = deployment.onward("people", "remove", "ben", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "Removed ben" in removed.stdout

    binaries = pg_bin()
    assert binaries is not None
    dump = subprocess.run(
        [str(binaries / "pg_dump"), "--data-only", "--inserts", deployment.url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert _leaks(dump, "ben") == []
    assert "ada.lovelace@home.example" in dump  # the dump holds mail: Ada's is still there
    engine = create_engine(deployment.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        schemas = set(conn.execute(text("SELECT nspname FROM pg_namespace")).scalars())
        jobs = conn.execute(
            text("SELECT args->>'account_id' FROM procrastinate_jobs ORDER BY id")
        ).scalars()
        assert list(jobs) == ["1"]  # Ada's queued sync stays; Ben's is gone
    engine.dispose()
    assert "p000002" not in schemas and "p000001" in schemas
    assert json.loads(deployment.onward("people", "list", "--json").stdout)[0]["name"] == "ada"
    assert deployment.onward("status", person="ben").returncode == 1
