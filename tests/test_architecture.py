"""The layers of docs/architecture.md, held by the import graph: the pure core does no I/O, and
only the interfaces (command line, dashboard, demo) sit on top."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Parsing, classification and the tracker's decisions take data and return data.
CORE = (
    "onward.mail.model",
    "onward.mail.parse",
    "onward.mail.prefix",
    "onward.mail.fastparse",
    "onward.classify",
    "onward.tracker.state",
    "onward.tracker.match",
    "onward.tracker.insights",
    "onward.tracker.mood",
    "onward.tracker.alerts",
)
# What the core may use besides itself: leaves with no I/O of their own.
CORE_MAY_USE = CORE + ("onward.errors", "onward.timeutil")
IO_LIBRARIES = ("sqlalchemy", "alembic", "imapclient", "fastapi", "typer", "rich", "httpx")
# `from onward.mail import parse` names the package too; the module it names is checked itself.
PACKAGES = ("onward", "onward.mail", "onward.tracker")
INTERFACES = ("onward.cli", "onward.web", "onward.demo", "onward.__main__")


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _modules() -> dict[str, set[str]]:
    """Every module of the package (migrations aside: frozen history) and what it imports,
    at the top or inside a function."""
    graph: dict[str, set[str]] = {}
    for path in (SRC / "onward").rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        imports: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imports |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against this module's package
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                imports |= {base} | {f"{base}.{a.name}" for a in node.names}
        graph[name] = imports
    return graph


def test_the_pure_core_imports_no_io_and_nothing_above_it() -> None:
    wrong = [
        f"{module} imports {used}"
        for module, imports in sorted(_modules().items())
        if _within(module, CORE)
        for used in sorted(imports)
        if (used.startswith("onward") and not _within(used, CORE_MAY_USE) and used not in PACKAGES)
        or _within(used, IO_LIBRARIES)
    ]
    assert not wrong, "the core must stay pure:\n" + "\n".join(wrong)


def test_only_the_interfaces_import_the_command_line_or_the_dashboard() -> None:
    wrong = [
        f"{module} imports {used}"
        for module, imports in sorted(_modules().items())
        if not _within(module, INTERFACES)
        for used in sorted(imports)
        if _within(used, ("onward.cli", "onward.web"))
    ]
    assert not wrong, "services must not depend on an interface:\n" + "\n".join(wrong)
