"""Where a notification goes: the desktop (desktop-notifier: D-Bus on Linux, native on macOS
and Windows) and, when the person gives URLs, apprise (ntfy, Matrix, email...)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from onward.config import WatchOptions
from onward.errors import OnwardError
from onward.watch.notices import Notice


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...


class Unavailable(OnwardError):
    """This channel cannot work here; the sentence says why."""


def session_bus() -> bool:
    """Whether a D-Bus session bus can be found, as dbus-fast looks for one."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    return Path(f"/run/user/{os.getuid()}/bus").exists()


class Desktop:
    name = "desktop"

    def __init__(self) -> None:
        if sys.platform.startswith("linux") and not session_bus():
            raise Unavailable("there is no D-Bus session bus")
        try:
            from desktop_notifier import DesktopNotifierSync
        except ImportError as exc:
            raise Unavailable("desktop-notifier is not installed") from exc
        # It logs a failed send with a traceback of its own; onward says one sentence instead.
        logging.getLogger("desktop_notifier").disabled = True
        self._notifier = DesktopNotifierSync(app_name="onward")

    def send(self, notice: Notice) -> None:
        self._notifier.send(title=notice.title, message=notice.body)


class Apprise:
    name = "apprise"

    def __init__(self, urls: list[str]) -> None:
        import apprise

        self._apprise = apprise.Apprise()
        for url in urls:
            if not self._apprise.add(url):
                raise ValueError("one of [watch] apprise_urls is not a URL apprise knows")

    def send(self, notice: Notice) -> None:
        if not self._apprise.notify(body=notice.body, title=notice.title):
            raise ConnectionError("apprise could not deliver it")


def channels(settings: WatchOptions, say: Callable[[str], None]) -> list[Channel]:
    """The channels the config asks for that can be had here; each one that cannot is said
    once, and the watch goes on printing its notices."""
    out: list[Channel] = []
    if settings.notify:
        try:
            out.append(Desktop())
        except Unavailable as exc:
            say(f"Desktop notifications are not available here ({exc}); notices are printed.")
    urls = list(settings.apprise_urls)
    if urls:
        try:
            out.append(Apprise(urls))
        except ImportError:
            say("apprise_urls are set but apprise is not installed: `pip install apprise`.")
        except ValueError as exc:
            say(f"Phone notifications are off: {exc}.")
    return out


class Notifier:
    """Sends a notice to every channel; a channel that fails is said once and set aside."""

    def __init__(self, chans: list[Channel], say: Callable[[str], None]) -> None:
        self.channels = chans
        self.say = say

    def send(self, notice: Notice, late: bool = False) -> None:
        for chan in list(self.channels):
            try:
                chan.send(notice)
            except Exception as exc:
                self.channels.remove(chan)
                self.say(
                    f"The {chan.name} notification could not be shown ({type(exc).__name__}); "
                    "notices go on in this window."
                )
        self.say(("Notified (quiet hours are over): " if late else "Notified: ") + notice.body)
