"""Classify benchmark: messages per second of parse + classify, on one core.

    python benchmarks/classify.py [-n 50000] [--dir bench-data] [--corpus DIR] [--repeat 3]

Uses the Maildir that benchmarks/scan.py generates (generating it if missing), or cycles
the labelled corpus's real mail with --corpus, reads each file's bounded prefix, then times
in this one process: parsing alone, classifying alone (from parsed emails, chunk by chunk
as `onward scan` does) and both together, plus the model's load time. Peers in the same
process: classifying with the plain definition of the features (`_reference_vectors`, the
path before issue 16), the keyword baseline (the phrase lists trackers use) and classifying
one message at a time. The first pass starts with cold caches, as a first scan does; later
passes are warm. This is a shared 2-vCPU VM: single timings vary by ±20%, so it prints the
median of --repeat passes beside the first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import generate  # noqa: E402

from onward.mail.parse import parse_message  # noqa: E402
from onward.mail.sources.base import read_prefix  # noqa: E402
from onward.scan import CHUNK  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(first pass, median of all passes, the first pass's result) in seconds."""
    times, first = [], None
    for i in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        first = out if i == 0 else first
    return times[0], statistics.median(times), first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=50_000)
    ap.add_argument("--dir", type=Path, default=Path("bench-data"))
    ap.add_argument("--corpus", type=Path, help="cycle the labelled corpus's real mail instead")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.corpus:
        files = sorted((args.corpus / "messages").glob("*/*.eml"))
        label = f"the corpus's {len(files)} messages, cycled"
    else:
        args.dir.mkdir(parents=True, exist_ok=True)
        maildir, _ = generate(args.dir.resolve(), args.n)
        files = sorted(p for sub in ("cur", "new") for p in (maildir / sub).iterdir())
        label = "generated mail (job words in every message: the screen rules out none)"
    base = [read_prefix(p)[0] for p in files[: args.n]]
    raws = [base[i % len(base)] for i in range(args.n)]
    print(f"source: {label}")

    t = time.perf_counter()
    from onward.classify.model import Classifier, Weights
    from onward.classify.rules import keyword_kind

    weights = Weights.load()
    load = time.perf_counter() - t
    clf = Classifier(weights)

    t = time.perf_counter()
    emails = [parse_message(r) for r in raws]
    parse = time.perf_counter() - t
    n = len(raws)
    del raws, base  # a scan drops each message's bytes once parsed

    def stream() -> Counter[str]:
        """Classify chunk by chunk and keep only counts, as `onward scan` does (it writes each
        chunk's verdicts to the database): holding 50,000 verdicts would time the garbage
        collector walking them, which a scan never does."""
        counts: Counter[str] = Counter()
        for a in range(0, len(emails), CHUNK):
            for v in clf.classify_many(emails[a : a + CHUNK]):
                counts[v.kind] += 1
                counts["+screen"] += v.model_version.endswith("+screen")
        return counts

    first, median, counted = timed(stream, args.repeat)
    # The plain definition of the features (`_reference_vectors`: a regex per text, a dict per
    # word, Counter per email), timed the same way, for the fast path's speed-up in one run.
    from onward.classify import features, model

    fast_vectors = model.vectors
    model.vectors = features._reference_vectors
    try:
        _, reference, _ = timed(stream, args.repeat)
    finally:
        model.vectors = fast_vectors
    one = emails[: min(len(emails), 10_000)]
    _, single, _ = timed(lambda: sum(1 for e in one if clf.classify(e)), 1)
    _, keywords, _ = timed(lambda: sum(1 for e in emails if keyword_kind(e)), 1)
    rate = n / median
    print(f"{n} messages, one core (one process)")
    print(f"model load                     {load * 1000:8.0f} ms")
    print(f"parse                          {parse:8.2f} s  {n / parse:9,.0f} msgs/s")
    print(f"classify, first pass (cold)    {first:8.2f} s  {n / first:9,.0f} msgs/s")
    print(f"classify, median of {args.repeat}         {median:8.2f} s  {rate:9,.0f} msgs/s")
    print(
        f"  peer: reference features     {reference:8.2f} s  {n / reference:9,.0f} msgs/s  "
        f"(the fast path is {reference / median:.2f}x its speed)"
    )
    print(
        f"  peer: one message at a time  {single * n / len(one):8.2f} s  "
        f"{len(one) / single:9,.0f} msgs/s  (batched is {rate * single / len(one):.2f}x)"
    )
    print(
        f"  peer: keyword baseline       {keywords:8.2f} s  {n / keywords:9,.0f} msgs/s  "
        f"(the model is {keywords / median:.2f}x its speed)"
    )
    both = parse + median
    print(f"parse + classify               {both:8.2f} s  {n / both:9,.0f} msgs/s")
    kinds = Counter(counted)  # type: ignore[arg-type]
    print(f"decided by the screen without the model: {kinds.pop('+screen', 0)} of {n}")
    print(f"kinds: {dict(sorted(kinds.items()))}")


if __name__ == "__main__":
    main()
