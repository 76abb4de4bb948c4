"""Tables and panels that commands and the demo both show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.panel import Panel

from onward.cli.app import out
from onward.terminal import styled

if TYPE_CHECKING:
    from onward.actions.checkin import Advice


def print_status(figures: dict[str, Any]) -> None:
    by = figures["active_by_stage"]
    stages = ", ".join(f"{n} {s}" for s, n in by.items() if n)
    withdrawn = f", {figures['withdrawn']} withdrawn" if figures["withdrawn"] else ""
    out.print(
        styled(
            f"{figures['tracked']} in your list: ",
            (f"{figures['active']} active", "bold"),
            (f" ({stages})" if stages else "")
            + f"; {figures['saved']} saved, {figures['rejected']} rejected, "
            f"{figures['ghosted']} gone quiet{withdrawn}.",
        )
    )
    out.print(
        f"This week: {figures['this_week']} of {figures['weekly_goal']} applications. "
        f"Days since the last one: {figures['days_since_last_application']}."
    )
    c = figures["concentration"]
    if c["largest_employer"]:
        out.print(
            f"Largest employer: {c['largest_employer']} ({c['largest_share']:.0%} of active; "
            f"HHI {c['hhi']:.2f})"
            + (" — all eggs in one basket." if c["eggs_in_one_basket"] else ".")
        )
    rate = figures["response_rate"]
    out.print(
        f"Response rate: {'-' if rate is None else f'{rate:.0%}'}; median days to a first "
        f"answer {figures['median_days_to_first_response']}, to a rejection "
        f"{figures['median_days_to_rejection']}; bounce-back "
        f"{figures['median_bounce_back_days']} days."
    )
    if figures["rejections_by_stage"]:
        out.print(
            "Rejections by stage: "
            + ", ".join(f"{s} {n}" for s, n in figures["rejections_by_stage"].items())
        )
    if figures["links_to_review"]:
        out.print(
            f"{figures['links_to_review']} emails wait for you to pick their application "
            f"(`onward review`)."
        )
    f = figures.get("followups")
    if f and f["asked"]:
        out.print(
            f"Follow-ups: feedback asked for {f['asked']} times ({f['sent']} sent by onward), "
            f"{f['answered']} answered."
        )
        for line in f["check_back"] + f["recontact"]:
            out.print(f"• {line}", highlight=False)
    for nudge in figures["nudges"]:
        out.print(f"• {nudge}", highlight=False)


def show_advice(advice: Advice, extra: str = "") -> None:
    lines = [advice.acknowledge, ""] + [f"• {s}" for s in advice.suggestions]
    if extra:
        lines += ["", extra]
    body = styled("\n".join(lines) + "\n\n", (advice.reminder, "italic"))
    # The shared console soft-wraps (for tables in logs); a panel must wrap or it crops.
    panel = Panel(body, title=styled(f"Feeling {advice.label.lower()}"), expand=False)
    out.print(panel, soft_wrap=False)
