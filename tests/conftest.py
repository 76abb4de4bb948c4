from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import dovecot as dv

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
