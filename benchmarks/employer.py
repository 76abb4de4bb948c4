"""Employer exact match on the corpus's job mail, per person, with and without the sender.

    python benchmarks/employer.py --corpus ../shared/corpus [--all]

No classifier: every message is read with its labelled kind (`extract_for`), so the figure
is the extractor's alone. Counted as `onward model eval` counts it: job mail (not `not_job`)
whose label names the employer, real mail only unless --all, grouped as docs/evaluation.md
groups people. Exports lose senders (issue 13), so each message is read four ways: as it is;
from a generic robot (`Recruiting <noreply@gmail.com>`); from a person's own mail address
(`Jordan Lee <jordan.lee@gmail.com>`); with no sender at all. Prints counts, never mail text.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from onward.classify import extract
from onward.classify.evaluation import Held, group_of
from onward.classify.extract import extract_for, norm_company
from onward.mail.model import Address, Email
from onward.mail.parse import parse_message

# Caches that hold names across messages: cleared so each pass reads like a first scan.
from onward.mail.prefix import bounded

# Caches that hold names across messages: cleared so each pass reads like a first scan.
CACHES = [getattr(extract, n) for n in ("_clean", "_usable") if hasattr(extract, n)]
SENDERS: dict[str, Callable[[Email], Email]] = {
    "as is": lambda e: e,
    "robot": lambda e: replace(e, sender=Address("Recruiting", "noreply@gmail.com")),
    "person": lambda e: replace(e, sender=Address("Jordan Lee", "jordan.lee@gmail.com")),
    "none": lambda e: replace(e, sender=None),
}


def load(corpus: Path, real_only: bool) -> list[tuple[str, str, str, Email]]:
    """(group, kind, labelled employer, email) for job mail whose label names the employer."""
    out = []
    with open(corpus / "labels.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "not_job" or not row["company"]:
                continue
            real = row["real"] == "yes"
            if real_only and not real:
                continue
            email = parse_message(bounded((corpus / row["path"]).read_bytes()))
            domain = email.sender.email.rpartition("@")[2] if email.sender else ""
            group = group_of(Held(row["source"], domain, "", real))
            if not real:
                group += " (synthetic)"
            out.append((group, row["kind"], row["company"], email))
    return out


def timed(rows: list[tuple[str, str, str, Email]]) -> float:
    """Seconds a message, best of five passes, each starting with cold caches."""
    best = float("inf")
    for _ in range(5):
        for cached in (norm_company, *CACHES):
            cached.cache_clear()
        start = time.perf_counter()
        for _, kind, _, email in rows:
            extract_for(kind, email)
        best = min(best, time.perf_counter() - start)
    return best / max(len(rows), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--all", action="store_true", help="count synthetic mail too")
    ap.add_argument("--time", action="store_true", help="also time extraction, cold caches")
    args = ap.parse_args()
    rows = load(args.corpus, not args.all)
    if args.time:
        print(f"extraction: {timed(rows) * 1e6:.0f} us a job message (best of 5 passes)")
    hits: dict[tuple[str, str], int] = defaultdict(int)
    sizes: dict[str, int] = defaultdict(int)
    for group, kind, company, email in rows:
        sizes[group] += 1
        gold = norm_company(company)
        for name, strip in SENDERS.items():
            got = extract_for(kind, strip(email)).company
            hit = norm_company(got) == gold
            hits[group, name] += hit
            hits["overall", name] += hit
    sizes["overall"] = len(rows)
    print("employer exact match on job mail that names it (sender: as is / robot / person / none)")
    print(f"{'group':28} {'n':>5} " + " ".join(f"{n:>14}" for n in SENDERS))
    for group in [*sorted(g for g in sizes if g != "overall"), "overall"]:
        n = sizes[group]
        cells = [f"{hits[group, s]:>5} = {hits[group, s] / n:5.3f}" for s in SENDERS]
        print(f"{group:28} {n:>5} " + " ".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
