"""The `onward` command's entry point: a rescan with nothing new is answered at once
(`cli/quick.py`); everything else goes to the command line (`cli/root.py`)."""

from __future__ import annotations

import sys


def main() -> None:
    from onward.cli.quick import nothing_new

    status = nothing_new(sys.argv[1:])
    if status is not None:
        raise SystemExit(status)
    from onward.cli.root import main as command_line

    command_line()
