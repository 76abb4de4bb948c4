"""Labelled folders of .eml files (`labels.csv`: path, kind, ...) and the shipped model's verdicts."""

import csv
from pathlib import Path

from onward.classify.model import Classifier
from onward.mail.parse import parse_message
from onward.mail.prefix import bounded


def verdicts_of(folder: Path) -> list[tuple[str, str, bool]]:
    """(labelled kind, the model's kind, sent to review) for every message of the folder."""
    rows = list(csv.DictReader((folder / "labels.csv").open(encoding="utf-8")))
    emails = [parse_message(bounded((folder / r["path"]).read_bytes())) for r in rows]
    return [
        (r["kind"], v.kind, v.needs_review)
        for r, v in zip(rows, Classifier().classify_many(emails), strict=True)
    ]
