"""Classify benchmark: messages per second of parse + classify, on one core.

    python benchmarks/classify.py [-n 50000] [--dir bench-data]

Uses the Maildir that benchmarks/scan.py generates (generating it if missing), reads each
file's bounded prefix, then times in this one process: parsing alone, classifying alone
(from parsed emails) and both together, plus the model's load time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import generate  # noqa: E402

from onward.mail.parse import parse_message  # noqa: E402
from onward.mail.sources.base import read_prefix  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=50_000)
    ap.add_argument("--dir", type=Path, default=Path("bench-data"))
    ap.add_argument("--corpus", type=Path, help="cycle the labelled corpus's real mail instead")
    args = ap.parse_args()
    if args.corpus:
        files = sorted((args.corpus / "messages").glob("*/*.eml"))
        label = f"the corpus's {len(files)} messages, cycled"
    else:
        args.dir.mkdir(parents=True, exist_ok=True)
        maildir, _ = generate(args.dir.resolve(), args.n)
        files = sorted(p for sub in ("cur", "new") for p in (maildir / sub).iterdir())
        label = "generated mail (job words in every message: extraction runs on most)"
    base = [read_prefix(p)[0] for p in files[: args.n]]
    raws = [base[i % len(base)] for i in range(args.n)]
    print(f"source: {label}")

    t = time.perf_counter()
    from onward.classify.model import Classifier, Weights

    weights = Weights.load()
    load = time.perf_counter() - t
    clf = Classifier(weights)

    t = time.perf_counter()
    emails = [parse_message(r) for r in raws]
    parse = time.perf_counter() - t
    t = time.perf_counter()
    kinds = [v.kind for v in clf.classify_many(emails)]
    classify = time.perf_counter() - t
    n = len(raws)
    print(f"{n} messages, one core (one process)")
    print(f"model load            {load * 1000:8.0f} ms")
    print(f"parse                 {parse:8.2f} s  {n / parse:9,.0f} msgs/s")
    print(f"classify (+extract)   {classify:8.2f} s  {n / classify:9,.0f} msgs/s")
    print(f"parse + classify      {parse + classify:8.2f} s  {n / (parse + classify):9,.0f} msgs/s")
    print(f"kinds: {dict(sorted({k: kinds.count(k) for k in set(kinds)}.items()))}")


if __name__ == "__main__":
    main()
