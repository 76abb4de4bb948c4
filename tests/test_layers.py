"""The import graph keeps one owner per read: only the store and the tracker's repository
know the tables (`onward.store.schema`); commands, pages, the demo and the watcher ask them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "onward"
SCHEMA = "onward.store.schema"
# Migrations are frozen copies of the schema at their time: they may name tables as they like.
MIGRATIONS = PACKAGE / "store" / "migrations"
ALLOWED = (PACKAGE / "store", PACKAGE / "tracker" / "repo.py")


def _package_of(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).parts[:-1])


def imports_schema(path: Path) -> bool:
    """Whether the module imports `onward.store.schema`, in any spelling (absolute, relative,
    `from onward.store import schema`), at its top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            if any(a.name == SCHEMA or a.name.startswith(SCHEMA + ".") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _package_of(path).split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            if module == SCHEMA or module.startswith(SCHEMA + "."):
                return True
            if module == "onward.store" and any(a.name == "schema" for a in node.names):
                return True
    return False


def offenders() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(MIGRATIONS):
            continue
        if any(path == a or path.is_relative_to(a) for a in ALLOWED):
            continue
        if imports_schema(path):
            found.append(str(path.relative_to(PACKAGE.parent)))
    return found


def test_only_the_store_and_the_tracker_repository_import_the_schema() -> None:
    bad = offenders()
    assert not bad, (
        f"{', '.join(bad)} import{'s' if len(bad) == 1 else ''} {SCHEMA}: move the query into "
        "onward/store/ (or onward/tracker/repo.py) and call it from there."
    )


def test_the_check_sees_every_spelling_of_the_import(tmp_path: Path) -> None:
    spellings = [
        "from onward.store.schema import emails",
        "import onward.store.schema",
        "from onward.store import schema",
        "def f():\n    from onward.store.schema import emails",
    ]
    for n, text in enumerate(spellings):
        module = tmp_path / f"m{n}.py"
        module.write_text(text + "\n")
        assert imports_schema(module), text
    plain = tmp_path / "plain.py"
    plain.write_text("from onward.store import Store\nfrom onward.store.review import to_review\n")
    assert not imports_schema(plain)


def test_only_the_deployments_store_names_a_schema_or_the_search_path() -> None:
    """A person's connection sees their schema alone because every other query names no
    schema: a query that did could read another person's rows."""
    named = re.compile(r"search_path|onward_fleet\.|\bp\d{6}\b|\bpublic\.", re.IGNORECASE)
    allowed = (PACKAGE / "store" / "fleet.py", PACKAGE / "store" / "fleet_migrations")
    wrong = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(path == a or path.is_relative_to(a) for a in allowed)
        and named.search(path.read_text())
    ]
    assert wrong == []
