"""Rich progress for long work: counts, rate and ETA on a terminal, silence elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from onward.terminal import PlainConsole, visible


class RichProgress:
    """Implements scan.Progress. Messages or bytes, whichever the source can count ahead."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = visible(label)  # a path, perhaps; TextColumn makes Text of it directly
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._unit = "messages"
        self._count = 0

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def start(self, total: int, unit: str) -> None:
        if not self.enabled or total == 0:
            return
        self._unit = unit
        if self._progress is None:
            console = PlainConsole(stderr=True)
            if unit == "bytes":
                cols = [
                    TextColumn("{task.description}", markup=False),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TextColumn("{task.fields[count]} messages"),
                    TimeRemainingColumn(),
                ]
            else:
                cols = [
                    TextColumn("{task.description}", markup=False),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                ]
            self._progress = Progress(*cols, console=console, transient=False)
            self._progress.start()
        self._task = self._progress.add_task(self.label, total=total, count=0, rate="")

    def advance(self, messages: int, nbytes: int) -> None:
        if self._progress is None or self._task is None:
            return
        self._count += messages
        step = nbytes if self._unit == "bytes" else messages
        self._progress.advance(self._task, step)
        task = self._progress.tasks[-1]
        speed = task.speed or 0.0
        rate = f"{speed:,.0f} msg/s" if self._unit == "messages" else ""
        self._progress.update(self._task, count=f"{self._count:,}", rate=rate)
