"""Watch the accounts until Ctrl-C or SIGTERM: one thread per account, the main thread for
what is due on the clock (held notifications, deferred archiving) and for stopping."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType
from typing import Any, Protocol

from onward import accounts
from onward.config import Config, ConfigError
from onward.store import Store
from onward.watch.imap import ImapWatch
from onward.watch.paths import PathWatch
from onward.watch.plan import WatchSettings
from onward.watch.state import StateFile
from onward.watch.wake import Waker

JOIN_WAIT = 30.0  # a wake-up in progress finishes its batch before the watcher stops


class Actions(Protocol):
    """What happens on arrival and on the clock (onward.watch.arrival)."""

    def arrived(self, account: str, rows: list[dict[str, Any]]) -> None: ...
    def tick(self) -> None: ...
    def seen_check(self, account: str, client: Any, folder: str) -> None: ...


class Printer:
    """One line per event, with the time; threads print whole lines."""

    def __init__(self, write: Callable[[str], None], state: StateFile | None = None) -> None:
        self.write = write
        self.state = state
        self.lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self.lock:
            self.write(f"{datetime.now():%H:%M:%S} {line}")
            if self.state is not None:
                self.state.did(line)


def targets(config: Config, names: list[str]) -> list[str]:
    chosen = names or sorted(config.accounts)
    if not chosen:
        raise ConfigError(
            "No accounts to watch: add one with `onward account add NAME --imap HOST --user USER`."
        )
    for name in chosen:
        config.account(name)  # a name that is not an account fails here, in one sentence
    return chosen


def watch(
    config: Config,
    store: Store,
    names: list[str],
    write: Callable[[str], None],
    actions: Actions | None = None,
    settings: WatchSettings | None = None,
    debug: bool = False,
) -> int:
    """Watch until stopped; the exit code (0 when stopped, 3 when no account was left)."""
    from onward.classify.service import classifier_for

    chosen = targets(config, names)
    settings = settings or WatchSettings.from_config(config.data)
    state = StateFile(config.paths.data_dir)
    state.started(chosen)
    say = Printer(write, state)
    waker = Waker(store, classifier_for(store), say, None, settings.recent_hours)
    if actions is None:
        actions = _actions(config, store, say, waker)
    waker.arrivals = actions.arrived
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_watcher(config, name, waker, settings, stop, say, state, actions, debug).run,
            name=f"watch-{name}",
            daemon=True,
        )
        for name in chosen
    ]
    with _stopping_on_signals(stop):
        for t in threads:
            t.start()
        while not stop.wait(settings.tick):
            if actions is not None:
                with waker.lock:
                    actions.tick()
            if not any(t.is_alive() for t in threads):
                break
        left = any(t.is_alive() for t in threads)
        stop.set()
        for t in threads:
            t.join(JOIN_WAIT)
    state.stopped()
    if not left:
        from onward.watch.service import NOTHING_LEFT

        write("No account is left to watch.")
        return NOTHING_LEFT
    write("Stopped watching.")
    return 0


def _actions(config: Config, store: Store, say: Printer, waker: Waker) -> Actions:
    from onward.watch.arrival import ArrivalActions
    from onward.watch.notify import Notifier, channels

    notifier = Notifier(channels(config.watch, say), say)
    return ArrivalActions(config, store, notifier, say, lock=waker.lock)


def _watcher(
    config: Config,
    name: str,
    waker: Waker,
    settings: WatchSettings,
    stop: threading.Event,
    say: Printer,
    state: StateFile,
    actions: Actions | None,
    debug: bool,
) -> ImapWatch | PathWatch:
    account = config.account(name)

    def make_source() -> Any:
        return accounts.account_source(account)

    make_source()  # a broken account is refused before anything starts
    if account.is_imap:
        return ImapWatch(
            name,
            make_source,
            waker,
            settings,
            stop,
            say,
            report=state.account,
            seen_check=actions.seen_check if actions is not None else None,
            debug=debug,
        )
    assert account.path is not None  # make_source() refused an account with neither
    return PathWatch(name, account.path, make_source, waker, settings, stop, say, state.account)


@contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM (systemd's stop) both end the watch cleanly."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    before = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in before.items():
            signal.signal(s, h)
