"""Charts as server-side SVG: no script, no download, readable without colour. Pure.

Each chart answers one question the person asks; its <title> says which.
"""

from __future__ import annotations

from html import escape
from typing import Any

W, H, PAD, BOTTOM = 640, 220, 36, 28
COLOURS = {
    "angry": "#c0392b",
    "sad": "#2e6da4",
    "disappointed": "#7d5ba6",
    "confused": "#d68910",
    "anxious": "#b9770e",
    "numb": "#7f8c8d",
    "fine": "#27ae60",
    "relieved": "#16a085",
}


def _svg(name: str, question: str, body: list[str], height: int = H) -> str:
    return (
        f'<svg class="chart" data-chart="{name}" role="img" aria-label="{escape(question)}" '
        f'viewBox="0 0 {W} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(question)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, s: str, anchor: str = "middle", cls: str = "lbl") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(s)}</text>'


def weekly(weeks: list[dict[str, Any]], goal: int) -> str:
    """Am I keeping up with my weekly goal?"""
    top = max([goal, *(w["applied"] for w in weeks), 1])
    inner_h = H - PAD - BOTTOM
    step = (W - 2 * PAD) / max(len(weeks), 1)
    body = []
    for i, w in enumerate(weeks):
        h = inner_h * w["applied"] / top
        x = PAD + i * step + step * 0.15
        y = PAD + inner_h - h
        cls = "bar met" if w["applied"] >= goal else "bar"
        body.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}"><title>week of {escape(w["week"])}: {w["applied"]} '
            f"applications</title></rect>"
        )
        body.append(_text(x + step * 0.35, y - 4, str(w["applied"])))
        body.append(_text(x + step * 0.35, H - 10, w["week"][5:]))
    gy = PAD + inner_h - inner_h * goal / top
    body.append(f'<line class="goal" x1="{PAD}" x2="{W - PAD}" y1="{gy:.1f}" y2="{gy:.1f}"/>')
    body.append(_text(W - PAD, gy - 5, f"goal {goal}/week", "end", "goal-lbl"))
    return _svg("weekly", "Applications per week against your goal", body)


def hbars(name: str, question: str, values: dict[str, float], percent: bool = False) -> str:
    """Horizontal bars, one per label (where rejections happen; response and ghosting rates)."""
    items = list(values.items()) or [("nothing yet", 0)]
    row = 28
    height = PAD + row * len(items) + 8
    top = max([v for _, v in items] + [1e-9]) if not percent else 1.0
    left, width = 130, W - 130 - 70
    body = []
    for i, (label, v) in enumerate(items):
        y = PAD / 2 + i * row
        w = width * (v / top) if top else 0
        shown = f"{v:.0%}" if percent else f"{v:g}"
        body.append(_text(left - 8, y + 17, label, "end"))
        body.append(
            f'<rect class="bar" x="{left}" y="{y + 4:.1f}" width="{max(w, 1):.1f}" height="18">'
            f"<title>{escape(label)}: {shown}</title></rect>"
        )
        body.append(_text(left + w + 6, y + 17, shown, "start"))
    return _svg(name, question, body, height)


def feelings(weeks: list[dict[str, Any]]) -> str:
    """How have I felt, beside how the search went? Rejections per week as grey bars, each
    week's check-ins as a dot per feeling, higher for stronger."""
    inner_h = H - PAD - BOTTOM
    step = (W - 2 * PAD) / max(len(weeks), 1)
    top = max([w["rejected"] for w in weeks] + [1])
    body = []
    for i, w in enumerate(weeks):
        cx = PAD + i * step + step / 2
        h = inner_h * 0.5 * w["rejected"] / top
        body.append(
            f'<rect class="bar rej" x="{cx - step * 0.3:.1f}" y="{PAD + inner_h - h:.1f}" '
            f'width="{step * 0.6:.1f}" height="{h:.1f}"><title>week of {escape(w["week"])}: '
            f"{w['rejected']} rejections</title></rect>"
        )
        for j, (feeling, n) in enumerate(sorted(w["feelings"].items())):
            strength = w["intensity"] or 3
            cy = PAD + inner_h - inner_h * strength / 5
            body.append(
                f'<circle class="dot" cx="{cx + (j - 0.5) * 9:.1f}" cy="{cy:.1f}" r="{4 + n}" '
                f'fill="{COLOURS.get(feeling, "#555")}"><title>{escape(feeling)} ×{n}, '
                f"strength {strength}</title></circle>"
            )
        body.append(_text(cx, H - 10, w["week"][5:]))
    body.append(_text(PAD, PAD - 12, "stronger ↑", "start", "axis"))
    return _svg("feelings", "How you felt each week, beside the rejections", body)
