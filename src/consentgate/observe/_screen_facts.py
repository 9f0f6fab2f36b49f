"""What one screen's controls say about refusing and about the way home, read for `infer`.

Kept apart from inference proper because these are the judgement calls a reviewer will want to
check: which control roles count as refusing, when refusing counts as equal to accepting (its area
against accept's), and which screens had to be passed to reach home.
"""

from __future__ import annotations

from typing import Any

from consentgate.observe.model import ControlRole, ObservedScreen, Walk, WalkEnd

ACTIONS = {
    ControlRole.AGREE: "agree",
    ControlRole.REFUSE: "refuse",
    ControlRole.SKIP: "skip",
    ControlRole.BROWSE: "browse",
    ControlRole.EXIT: "exit",
    ControlRole.SUBMIT: "submit",
    ControlRole.BACK: "back",
}
_REFUSING = (ControlRole.REFUSE, ControlRole.SKIP, ControlRole.BROWSE)
# Refuse at less than this share of accept's on-screen area is shown less prominently than accept.
_EQUAL_AREA = 0.8


def blocks_home_by_screen(walk: Walk) -> dict[str, bool]:
    """In a walk that reached its end, every screen before the last had to be passed to get home."""
    if walk.end is not WalkEnd.COMPLETED or len(walk.screens) < 2:
        return {}
    return {s.id: s is not walk.screens[-1] for s in walk.screens}


def refusal(screen: ObservedScreen) -> dict[str, Any] | None:
    """Steps and prominence of refusing beside accepting, where the screen offers accepting."""
    agree = [c for c in screen.controls if c.role is ControlRole.AGREE]
    if not agree:
        return None
    refuse = [c for c in screen.controls if c.role in _REFUSING]
    out: dict[str, Any] = {"accept_steps": 1}
    if not refuse:
        return out  # no way to refuse seen here: steps and prominence stay unknown (the actions say it)
    out["steps"] = 1
    visible = [c for c in refuse if c.visible]
    if not visible:
        out["prominence"] = "hidden"
    elif max(c.area for c in visible) >= _EQUAL_AREA * max(c.area for c in agree):
        out["prominence"] = "equal"
    else:
        out["prominence"] = "less"
    return out
