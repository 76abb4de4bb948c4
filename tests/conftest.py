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
    monkeypatch.delenv("ONWARD_PERSON", raising=False)
    return tmp_path / "home"


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "labels.csv").exists():
        pytest.skip(
            f"the labelled corpus is not here ({CORPUS}); it lives in shared/, not the repo"
        )
    return CORPUS


# --- PostgreSQL: a private server on loopback, started by the tests (shared/notes) -------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    from tests.postgres import Postgres, pg_bin

    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run must install postgresql")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    server = Postgres()
    try:
        yield server.url
    finally:
        server.stop()


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
