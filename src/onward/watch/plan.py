"""What the watcher decides, without sockets or clocks of its own: settings, backoff, failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imapclient.exceptions import LoginError

from onward.config import ConfigError

# RFC 2177: a server may drop an IDLE after 30 minutes, so it is renewed before 29.
IDLE_RENEW = 28 * 60.0
POLL_EVERY = 300.0
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 300.0
TICK = 1.0  # how often a wait looks up to see whether it should stop


@dataclass(frozen=True)
class WatchSettings:
    idle_renew: float = IDLE_RENEW
    poll_every: float = POLL_EVERY
    backoff_first: float = BACKOFF_FIRST
    backoff_cap: float = BACKOFF_CAP
    tick: float = TICK
    recent_hours: float = 24.0  # older mail found by a catch-up is stored, not announced

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> WatchSettings:
        w = data.get("watch", {})
        if not isinstance(w, dict):
            raise ConfigError("[watch] in the config must be a table of settings.")
        return cls(
            idle_renew=_seconds(w, "idle_renew_seconds", IDLE_RENEW, at_most=29 * 60),
            poll_every=_seconds(w, "poll_seconds", POLL_EVERY),
            backoff_first=_seconds(w, "backoff_first_seconds", BACKOFF_FIRST),
            backoff_cap=_seconds(w, "backoff_max_seconds", BACKOFF_CAP),
            recent_hours=_seconds(w, "recent_hours", 24.0),
        )


def _seconds(w: dict[str, Any], key: str, default: float, at_most: float | None = None) -> float:
    value = w.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"[watch] {key} must be a positive number of seconds.")
    if at_most is not None and value > at_most:
        raise ConfigError(f"[watch] {key} must be at most {at_most:g} (RFC 2177).")
    return float(value)


@dataclass
class Backoff:
    """Waits between reconnects: doubling from `first`, never longer than `cap`."""

    first: float = BACKOFF_FIRST
    cap: float = BACKOFF_CAP
    failures: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.first * 2.0 ** min(self.failures, 32))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def is_fatal(exc: BaseException) -> bool:
    """A refused login will be refused again: stop that account instead of hammering it.

    A server that is starting up may answer a login with a temporary failure, and that
    is worth waiting for."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, LoginError):
        text = str(cause).upper()
        return "UNAVAILABLE" not in text and "TEMPORARY" not in text
    return not isinstance(exc, OSError | EOFError) and _is_setting_error(exc)


def _is_setting_error(exc: BaseException) -> bool:
    from onward.mail.sources import SourceError
    from onward.secrets import SecretError

    # A SourceError is a network failure unless its cause was a refused login (above).
    return isinstance(exc, SecretError | ConfigError) and not isinstance(exc, SourceError)


def counts_sentence(kinds: dict[str, int]) -> str:
    """ "1 rejection, 2 not job" in the order of how many."""
    parts = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in parts)
