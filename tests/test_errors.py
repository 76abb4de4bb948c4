"""One error family: every error a person may see derives from OnwardError, so the CLI and the
web app each handle them all in one place."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import onward
from onward import errors
from onward.errors import BadInput, DatabaseError, MailError, NotFound, OnwardError

# Exceptions that never reach a person: each is caught inside onward and turned into something
# else. A new class belongs here only with the place that catches it.
INTERNAL = {
    # parse.py falls back to the careful parser when the fast path refuses a message.
    "onward.mail.fastparse.Refused",
    # an OSError on purpose: the scan reports it with the other unreadable files.
    "onward.mail.sources.base.NotAFile",
}


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(onward.__path__, "onward."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
            ):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_error_defined_in_onward_derives_from_onward_error() -> None:
    classes = _exception_classes()
    assert "onward.tracker.transfer.TransferError" in classes  # the walk reaches every layer
    outside = sorted(
        name
        for name, kind in classes.items()
        if name not in INTERNAL and not issubclass(kind, OnwardError)
    )
    assert outside == []


def test_the_internal_list_names_only_classes_that_exist() -> None:
    assert INTERNAL <= set(_exception_classes())


def test_errors_module_imports_nothing_from_onward() -> None:
    tree = ast.parse(Path(errors.__file__).read_text())
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append("." * node.level + (node.module or ""))
    assert [name for name in imported if name.startswith(("onward", "."))] == []


def test_each_family_member_carries_the_status_the_dashboard_answers_with() -> None:
    from onward.config import ConfigError
    from onward.mail.sources import SourceError
    from onward.store import StoreError
    from onward.tracker.repo import TrackerError

    assert NotFound.status == 404
    assert [k.status for k in (BadInput, MailError, DatabaseError, OnwardError)] == [400] * 4
    assert issubclass(ConfigError, BadInput) and issubclass(TrackerError, BadInput)
    assert issubclass(SourceError, MailError) and issubclass(StoreError, DatabaseError)
