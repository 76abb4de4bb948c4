"""A console that prints every string as the text it is.

Subjects, names and file contents are written by strangers. Read as Rich markup they can raise
errors or draw clickable links; written raw, their control codes can retitle or clear the
terminal and bidi overrides can reorder what the person reads. Rich turns every plain string
(a print argument, a table cell, a title) into text through `Console.render_str`, so making
control characters visible there covers them all at once.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

# Bidi embeddings, overrides and isolates (the "Trojan Source" set) and the directional marks.
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


def _visible_table() -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\n\t"}
    table[0x7F] = "\u2421"  # ␡
    table.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})
    table.update({c: f"\\u{c:04x}" for c in _BIDI})
    return table


_VISIBLE = _visible_table()


def visible(text: str) -> str:
    """The text with control characters shown as symbols (ESC as ␛), newlines and tabs kept."""
    return text.translate(_VISIBLE)


class PlainConsole(Console):
    """A Rich console without markup or highlighting whose strings show their control codes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)


def styled(*parts: str | tuple[str, str]) -> Text:
    """One line from plain strings and (string, style) pairs, each shown as text."""
    return Text.assemble(
        *(visible(p) if isinstance(p, str) else (visible(p[0]), p[1]) for p in parts)
    )


def discard_typed_ahead(stream: TextIO | None = None) -> None:
    """Drop what was typed before a question was shown, so keys pressed for an earlier one
    (Enter held down through a list of prompts) cannot answer it. Not at a terminal, nothing
    was typed ahead: scripts keep their piped answers."""
    stream = stream or sys.stdin
    try:
        if not stream.isatty():
            return
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):  # closed, or not a real file
        return
    try:
        import termios
    except ImportError:  # Windows: its console keeps typed keys in a buffer of its own
        _discard_console_keys()
        return
    try:
        termios.tcflush(fd, termios.TCIFLUSH)
    except termios.error:
        pass  # a terminal that cannot be flushed still gets its question asked


def _discard_console_keys() -> None:
    try:
        import msvcrt
    except ImportError:
        return
    while msvcrt.kbhit():  # type: ignore[attr-defined]
        msvcrt.getwch()  # type: ignore[attr-defined]
