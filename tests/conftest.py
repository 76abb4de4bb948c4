from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import dovecot as dv
from tests.webserver import Live, build_home, serve, xss_mbox

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("ONWARD_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def dovecot() -> Iterator[dv.Dovecot]:
    if not dv.available():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed: .ci/run must install dovecot-imapd")
        pytest.skip("Dovecot is not installed (make test installs it)")
    server = dv.Dovecot()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONWARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ONWARD_DB", raising=False)
    return tmp_path / "home"


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "labels.csv").exists():
        pytest.skip(
            f"the labelled corpus is not here ({CORPUS}); it lives in shared/, not the repo"
        )
    return CORPUS


# --- PostgreSQL: a private server on loopback, started by the tests (shared/notes) -------
def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    import pwd
    import shutil
    import signal
    import socket
    import subprocess
    import tempfile
    import time

    pg_bin = _pg_bin()
    if pg_bin is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run must install postgresql")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    import psycopg

    root = os.geteuid() == 0
    as_pg: list[str] = []
    if root:
        pw = pwd.getpwnam("postgres")
        as_pg = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups"]
    tmp = tempfile.mkdtemp(prefix="onward-pg-")  # not tmp_path: postgres must own it
    if root:
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = str(Path(tmp) / "data")
    subprocess.run(
        [
            *as_pg,
            str(pg_bin / "initdb"),
            "-D",
            data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "-N",
            "--no-instructions",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
        cwd="/",
    )
    log = open(Path(tmp) / "log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            *as_pg,
            str(pg_bin / "postgres"),
            "-D",
            data,
            "-p",
            str(port),
            "-k",
            tmp,
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd="/",
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres").close()
            break
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(Path(tmp, "log").read_text()) from None
            time.sleep(0.05)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind: the tracker's tests run against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'onward.db'}"
    import uuid

    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The dashboard on a free loopback port, over the demo mailbox plus an email full of
    script payloads; one per test module."""
    root = tmp_path_factory.mktemp("dashboard")
    config, store = build_home(root / "home", [xss_mbox(root / "xss.mbox")])
    with serve(config, store) as server:
        yield server
