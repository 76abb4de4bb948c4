"""Where the search stands: the one set of figures `onward status`, the dashboard, its API and
the demo show."""

from __future__ import annotations

from typing import Any

from onward.store.snapshot import snapshot
from onward.tracker import insights
from onward.tracker.repo import Tracker


def status(t: Tracker, history: bool = True) -> dict[str, Any]:
    """The figures as of `t.now`, against the person's weekly goal, with the emails waiting
    for their application (`links_to_review`). `history=False` leaves out what only Insights
    shows (medians, bounce-back, where rejections happen), for pages that need the pipeline."""
    t.refresh_all()
    figures = insights.figures(snapshot(t.store, t.now, history), t.now, t.weekly_goal)
    figures["links_to_review"] = t.count_review_links()
    return figures
