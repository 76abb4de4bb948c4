"""Linking judged on the labelled corpus: does any application collect two employers' mail?

    python benchmarks/linking.py ../shared/corpus

Classifies the corpus's real job mail with the shipped model, stores it in a fresh SQLite
database and links it as a scan does, then prints counts as JSON (never mail text): emails
linked, applications opened, links held for review and why, and applications whose mail
names two employers. Needs the corpus (and scikit-learn's dependencies, for its loader);
tests/test_linking_corpus.py holds the last figure at zero.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from onward.classify.extract import norm_company
from onward.classify.model import Classifier
from onward.mail.model import Locator, RawMessage
from onward.store import Store
from onward.tracker.repo import Tracker
from onward.tracker.state import TRACKED_KINDS


def evaluate(corpus: Path) -> dict[str, Any]:
    from onward.classify.train import load_corpus

    examples = [ex for ex in load_corpus(corpus) if ex.real and ex.kind != "not_job"]
    clf = Classifier()
    with tempfile.TemporaryDirectory() as d:
        store = Store(f"sqlite:///{d}/o.db")
        rows, gold = [], {}
        for i, ex in enumerate(examples):
            v = clf.classify(ex.email)
            raw = RawMessage(Locator(ex.source, "", ex.path), b"", 0)
            rows.append((raw, ex.email, 0, v))
            gold[ex.email.fingerprint] = norm_company(ex.company)
            if len(rows) == 500 or i == len(examples) - 1:
                store.write_batch("corpus", rows)
                rows = []
        tracker = Tracker(store)
        counts = tracker.link_pending()
        from sqlalchemy import select

        from onward.store.schema import emails

        with store.engine.connect() as conn:
            linked = conn.execute(
                select(
                    emails.c.fingerprint,
                    emails.c.application_id,
                    emails.c.link_state,
                    emails.c.kind,
                    emails.c.needs_review,
                )
            ).all()
        by_app: dict[int, set[str]] = {}
        for fp, app_id, _, _, _ in linked:
            if app_id is not None and gold.get(fp):
                by_app.setdefault(app_id, set()).add(gold[fp])
        mixed = {a: sorted(c) for a, c in by_app.items() if len(c) > 1}
        reasons = Counter(r["note"]["reason"] for r in tracker.review_links())
        tracked = [r for r in linked if r.kind in TRACKED_KINDS]
        return {
            "job_emails": len(examples),
            "tracked_kind_emails": len(tracked),
            "held_for_classifier_review": sum(1 for r in tracked if r.needs_review),
            "linked": counts["linked"],
            "applications": counts["opened"],
            "link_review": counts["review"],
            "link_review_reasons": dict(reasons),
            "applications_with_two_employers": len(mixed),
            "examples_of_mixing": list(mixed.values())[:5],
        }


if __name__ == "__main__":
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("corpus", type=Path, help="the labelled corpus (a folder with labels.csv)")
    print(json.dumps(evaluate(ap.parse_args().corpus), indent=1))
