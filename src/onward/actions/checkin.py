"""The check-in after a rejection: feelings, suggestions that fit, quiet hours. Pure.

Suggestions are data (`feelings.toml`), so the person can edit them; this module only
chooses among them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

from onward.errors import BadInput

FEELINGS = ("angry", "sad", "disappointed", "confused", "anxious", "numb", "fine", "relieved")
INTENSITIES = range(1, 6)
FILE = "feelings.toml"


class CheckinError(BadInput):
    """A check-in that cannot be recorded as given."""


@dataclass(frozen=True)
class Advice:
    feeling: str
    label: str
    acknowledge: str
    suggestions: tuple[str, ...]
    reminder: str


# How a "no" reached the person, as the end of a sentence (mail goes without saying). The
# command line says "in-person"; the dashboard's form offers "in person", "video call" and
# "message", and an event recorded without a way is "manual".
_VIA = {
    "email": "",
    "manual": "",
    "phone": "by phone",
    "in-person": "in person",
    "in person": "in person",
    "video call": "on a video call",
    "message": "by message",
}


def via_phrase(via: str) -> str:
    return _VIA.get(via, f"({via})")


def companies_phrase(names: list[str], at_most: int = 3) -> str:
    """The employers one check-in was about, each once: "Acme, Globex and Initech", or
    "Acme, Globex and 3 more" when a list that long would crowd the line."""
    unique = list(dict.fromkeys(n for n in names if n))
    if len(unique) <= 1:
        return "".join(unique)
    if len(unique) > at_most:
        shown = unique[: at_most - 1]
        return f"{', '.join(shown)} and {len(unique) - len(shown)} more"
    return f"{', '.join(unique[:-1])} and {unique[-1]}"


def packaged_text() -> str:
    return resources.files("onward.actions").joinpath(FILE).read_text(encoding="utf-8")


def load(config_dir: Path) -> dict[str, Any]:
    """The person's feelings file, created from the packaged one on first use."""
    path = config_dir / FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(packaged_text(), encoding="utf-8")
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, CheckinError) as exc:
        raise CheckinError(f"{path} is not usable ({exc}); delete it to get the default.") from exc


def parse(text: str) -> dict[str, Any]:
    data = tomllib.loads(text)
    feelings = data.get("feelings")
    if not isinstance(feelings, dict) or not feelings:
        raise CheckinError("it has no [feelings.NAME] tables")
    return data


def check(feeling: str, intensity: int | None) -> None:
    if feeling not in FEELINGS:
        raise CheckinError(f"{feeling!r} is not one of: {', '.join(FEELINGS)}.")
    if intensity is not None and intensity not in INTENSITIES:
        raise CheckinError("How strongly is a number from 1 (a little) to 5 (very).")


def advise(data: dict[str, Any], feeling: str, intensity: int = 3) -> Advice:
    """Two or three suggestions: the first ones listed are the most active, so a strong
    feeling gets three of those, a mild one two."""
    entry = data["feelings"].get(feeling) or {}
    listed = tuple(str(s) for s in entry.get("suggestions", ()))
    count = 3 if intensity >= 3 else 2
    return Advice(
        feeling=feeling,
        label=str(entry.get("label", feeling.capitalize())),
        acknowledge=str(entry.get("acknowledge", "")),
        suggestions=listed[:count],
        reminder=str(data.get("reminder", "")),
    )


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def quiet(now: datetime, span: str) -> bool:
    """Whether `now` (local time) falls in a span such as "22:00-08:00" (may cross midnight)."""
    m = _SPAN.match(span or "")
    if not m:
        return False
    start = time(int(m[1]) % 24, int(m[2]))
    end = time(int(m[3]) % 24, int(m[4]))
    t = now.time().replace(tzinfo=None)
    if start <= end:
        return start <= t < end
    return t >= start or t < end
