"""Public job mail nobody trained on: safety that any good model keeps, and its figures.

The messages and their labels are in tests/data/public-ats (sources and licences in its
README). Every file goes through the real command, `onward classify DIR --jsonl`. Run with
`-s` to see the per-kind table.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from onward.classify import JOB_KINDS, KINDS
from tests.runner import run

DATA = Path(__file__).resolve().parent / "data" / "public-ats"

# Rejection recall these fixtures must keep. The model shipped at 5c649cd finds 15 of 15
# (1.0); 0.9 allows one miss in 15. The lead engineer sets the final floor after retraining.
REJECTION_RECALL_FLOOR = 0.9

# A rejection verdict on any of these, taken without review, hides mail the person needs.
NEVER_DECIDED_REJECTION = frozenset({"interview", "offer", "assessment", "application_received"})


def labels() -> dict[str, dict[str, str]]:
    with (DATA / "labels.csv").open(newline="", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def verdicts(tmp_path: Path) -> dict[str, dict]:
    done = run("classify", str(DATA), "--jsonl", home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(r["path"]).name: r for r in rows}


def table(gold: dict[str, dict[str, str]], got: dict[str, dict]) -> str:
    lines = [f"{'kind':<22}{'n':>4}{'recall':>8}{'decided':>9}{'decided right':>15}"]
    for kind in KINDS:
        names = [n for n, g in gold.items() if g["kind"] == kind]
        if not names:
            continue
        right = sum(got[n]["kind"] == kind for n in names)
        decided = [n for n in names if not got[n]["needs_review"]]
        decided_right = sum(got[n]["kind"] == kind for n in decided)
        lines.append(
            f"{kind:<22}{len(names):>4}{right / len(names):>8.3f}"
            f"{len(decided) / len(names):>9.3f}{decided_right:>9}/{len(decided)}"
        )
    acc = sum(got[n]["kind"] == g["kind"] for n, g in gold.items()) / len(gold)
    named = {n: g for n, g in gold.items() if g["company"]}
    company = sum(got[n]["company"] == g["company"] for n, g in named.items())
    lines.append(f"accuracy over {len(gold)} messages: {acc:.3f}")
    lines.append(f"employer exact match: {company}/{len(named)}")
    return "\n".join(lines)


def test_public_ats_mail_is_never_decided_the_dangerous_way(tmp_path: Path) -> None:
    gold = labels()
    assert {g["kind"] for g in gold.values()} <= set(KINDS)
    got = verdicts(tmp_path)
    assert set(got) == set(gold), "every .eml has a label and every label a file"

    print("\n" + table(gold, got))  # noqa: T201 - the figures are what this test is for

    hidden = [
        (n, g["kind"])
        for n, g in gold.items()
        if g["kind"] in NEVER_DECIDED_REJECTION
        and got[n]["kind"] == "rejection"
        and not got[n]["needs_review"]
    ]
    assert hidden == [], f"decided as rejection: {hidden}"

    ordinary = [n for n, g in gold.items() if g["kind"] == "not_job"]
    assert ordinary, "the set must hold ordinary mail, or the next check proves nothing"
    called_job = [
        (n, got[n]["kind"])
        for n in ordinary
        if got[n]["kind"] in JOB_KINDS and not got[n]["needs_review"]
    ]
    assert called_job == [], f"ordinary mail decided as job mail: {called_job}"

    rejections = [n for n, g in gold.items() if g["kind"] == "rejection"]
    found = Counter(got[n]["kind"] for n in rejections)["rejection"]
    assert found / len(rejections) >= REJECTION_RECALL_FLOOR, (found, len(rejections))
