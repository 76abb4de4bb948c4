"""Rich progress for long work: counts, rate and ETA on a terminal, silence elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID


class Progress(Protocol):
    """What long work (a scan, an archive run) reports to: how much there is, then each step."""

    def start(self, total: int, unit: str) -> None: ...
    def advance(self, messages: int, nbytes: int) -> None: ...


class NoProgress:
    def start(self, total: int, unit: str) -> None:
        pass

    def advance(self, messages: int, nbytes: int) -> None:
        pass


class RichProgress:
    """Implements Progress. Messages or bytes, whichever the source can count ahead."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        from onward.terminal import visible

        self.label = visible(label)  # a path, perhaps; TextColumn makes Text of it directly
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Bar | None = None
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
            self._progress = _bar(unit)
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


def _bar(unit: str) -> Bar:
    """A bar on stderr: bytes with a transfer speed, or messages with a rate."""
    # Imported here: scan and archive import this module for the protocol, and rich costs
    # 40 ms of start-up that only a terminal showing a bar needs.
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.progress import Progress as Bar

    from onward.terminal import PlainConsole

    cols: list[ProgressColumn]
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
    return Bar(*cols, console=PlainConsole(stderr=True), transient=False)
