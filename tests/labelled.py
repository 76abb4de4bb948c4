"""Labelled folders of .eml files (`labels.csv`: path, kind, ...) and the shipped model's verdicts."""

import csv
from pathlib import Path

from onward.classify.model import Classifier
from onward.mail.parse import parse_message
from onward.mail.prefix import bounded


def rows_of(folder: Path, half: str | None = None) -> list[dict[str, str]]:
    """The folder's labels, or those of its "even" or "odd" numbered files."""
    rows = list(csv.DictReader((folder / "labels.csv").open(encoding="utf-8")))
    if half is not None:
        parity = 0 if half == "even" else 1
        rows = [r for r in rows if int(r["path"].removesuffix(".eml")[-3:]) % 2 == parity]
    return rows


def verdicts_of(folder: Path, half: str | None = None) -> list[tuple[str, str, bool]]:
    """(labelled kind, the model's kind, sent to review) for every message of the folder, or
    of its "even" or "odd" numbered files, in the order of `rows_of`."""
    rows = rows_of(folder, half)
    emails = [parse_message(bounded((folder / r["path"]).read_bytes())) for r in rows]
    return [
        (r["kind"], v.kind, v.needs_review)
        for r, v in zip(rows, Classifier().classify_many(emails), strict=True)
    ]
