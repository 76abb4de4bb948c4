"""Parse-stage benchmark: messages per second of the careful parser and of the fast path.

    python benchmarks/parse.py [-n 3000] [--repeat 5]

On generated mail (benchmarks/mailgen.py), one process, CPU time (best of --repeat, so other
work on the machine counts less), on the 16 KB prefixes the sources hand over and on whole
messages. Parsing only: no file reading, no classification, no database.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mailgen import messages  # noqa: E402

from onward.mail.parse import parse_careful, parse_message  # noqa: E402
from onward.mail.prefix import bounded  # noqa: E402


def rate(parse: Callable[[bytes], object], data: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        for raw in data:
            parse(raw)
        best = min(best, time.process_time() - t)
    return len(data) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    whole = list(messages(args.n))
    prefixes = [bounded(m) for m in whole]
    print(f"{args.n} generated messages, one process, CPU time, best of {args.repeat}")
    print(f"{'input':22} {'careful':>10} {'fast path':>10} {'speed-up':>9}")
    for name, data in (("16 KB prefixes", prefixes), ("whole messages", whole)):
        slow = rate(parse_careful, data, args.repeat)
        fast = rate(parse_message, data, args.repeat)
        print(f"{name:22} {slow:8,.0f}/s {fast:8,.0f}/s {fast / slow:8.2f}x")


if __name__ == "__main__":
    main()
