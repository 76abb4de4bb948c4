"""Migrations are frozen: what one does to a database never changes after it ships."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from onward.store.db import MIGRATIONS
from onward.store.fleet import MIGRATIONS as FLEET_MIGRATIONS


def _onward_imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [
        n
        for n in names
        if n.split(".")[0] == "onward" and not n.startswith("onward.store.migrations")
    ]


@pytest.mark.parametrize(
    "migration",
    sorted((MIGRATIONS / "versions").glob("*.py"))
    + sorted((FLEET_MIGRATIONS / "versions").glob("*.py")),
    ids=lambda p: p.stem,
)
def test_no_migration_imports_live_onward_code(migration: Path) -> None:
    assert _onward_imports(migration) == []


def test_the_checkins_migration_stores_the_spans_of_applications_already_there(
    db_url: str,
) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        rows = [
            # id, status, applied, first response, closed
            (1, "rejected", "2026-01-01 09:00", "2026-01-04 21:00", "2026-01-11 09:00"),
            (2, "interview", "2026-01-01 00:00", "2026-01-02 00:00", None),
            (3, "withdrawn", "2026-01-01 00:00", None, "2026-01-05 00:00"),
            (4, "rejected", "2026-01-10 00:00", "2026-01-05 00:00", "2026-01-09 00:00"),
            (5, "applied", None, None, None),
        ]
        for id_, status, applied, responded, closed in rows:
            conn.execute(
                text(
                    "INSERT INTO applications (id, company, company_key, status, reached, "
                    "applied_at, first_response_at, closed_at) "
                    "VALUES (:id, 'Initech', 'initech', :s, :s, :a, :r, :c)"
                ),
                {
                    "id": id_,
                    "s": status,
                    **{
                        k: datetime.fromisoformat(v) if v else None
                        for k, v in (("a", applied), ("r", responded), ("c", closed))
                    },
                },
            )
        command.upgrade(cfg, "0005")
        spans = conn.execute(
            text("SELECT id, response_days, rejection_days FROM applications ORDER BY id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in spans] == [
        (1, 3.5, 10.0),
        (2, 1.0, None),
        (3, None, None),  # only a rejection has a rejection span
        (4, None, None),  # an answer before the application is unknown, not negative
        (5, None, None),
    ]


def test_the_deployments_store_knows_its_newest_migration() -> None:
    from onward.store.fleet import HEAD

    cfg = Config()
    cfg.set_main_option("script_location", str(FLEET_MIGRATIONS))
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD
