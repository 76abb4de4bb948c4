"""A mail export on disk (Maildir, mbox, .eml folder) watched by file events, else polled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from threading import Event

from onward.mail.sources import MailSource
from onward.watch.plan import WatchSettings
from onward.watch.wake import Say, Waker

Report = Callable[[str, str], None]


def has_file_events() -> bool:
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        return False
    return True


class PathWatch:
    def __init__(
        self,
        name: str,
        path: Path,
        make_source: Callable[[], tuple[MailSource, list[str] | None]],
        waker: Waker,
        settings: WatchSettings,
        stop: Event,
        say: Say,
        report: Report | None = None,
        file_events: bool | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.make_source = make_source
        self.waker = waker
        self.settings = settings
        self.stop = stop
        self.say = say
        self.report = report or (lambda _a, _s: None)
        self.file_events = has_file_events() if file_events is None else file_events

    def run(self) -> None:
        self._wake()
        if self.file_events:
            self._events()
        else:
            self.report(self.name, "polling")
            self.say(f"{self.name}: looking at {self.path} every {self.settings.poll_every:g} s.")
            while not self.stop.wait(self.settings.poll_every):
                self._wake()

    def _events(self) -> None:
        import watchfiles

        watching = False
        # A mail client writes a message in a few steps (tmp/, then new/): settle first.
        for changes in watchfiles.watch(
            self.path,
            stop_event=self.stop,
            debounce=300,
            step=50,
            rust_timeout=int(self.settings.tick * 1000),
            yield_on_timeout=True,  # the first timeout says the watch is in place
            raise_interrupt=False,
            watch_filter=None,  # Maildir names are not source files: every change counts
        ):
            if self.stop.is_set():
                break
            if not watching:
                watching = True
                self.report(self.name, "watching files")
                self.say(f"{self.name}: waiting for mail in {self.path} (file events).")
                self._wake()  # what came while the watch was being set up
            elif changes:
                self._wake()

    def _wake(self) -> None:
        source, folders = self.make_source()
        try:
            self.waker.wake(self.name, source, folders)
        except Exception as exc:  # a file mid-write, a folder gone: say so, look again later
            self.say(f"{self.name}: {exc}")
        finally:
            source.close()
