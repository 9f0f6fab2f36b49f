"""The onboarding screens of a manifest: what each screen asks, offers to tick, and lets a person do.

Split from `models.py` (which re-exports these names) because issue 12 grew them: a consent box names
its recipients, and a notice screen may offer browse-only. Issue 13 added what refusing takes there.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from consentgate.manifest.strict import Id, Strict
from consentgate.manifest.unknown import Maybe, Tri
from consentgate.manifest.wording import Label


class ScreenAction(StrEnum):
    SUBMIT = "submit"
    AGREE = "agree"
    SKIP = "skip"
    REFUSE = "refuse"  # "don't collect" / disagree and continue
    BACK = "back"
    BROWSE = "browse"  # refuse the notice and use the app in browse-only mode (「仅浏览」/「基本功能模式」)
    EXIT = "exit"  # only way out is leaving the app


class ScreenField(Strict):
    data: Id
    required: Tri = None
    purposes: list[Id] = Field(default_factory=list)
    # Issue 18 (observe): a purpose for this field was on the screen where it was asked (AVIM 2.3).
    purpose_shown: Tri = None


class ConsentBox(Strict):
    """One tick box. Consent is one box per purpose, and per recipient where sharing needs it (PIPL 23)."""

    purposes: list[Id]
    recipients: list[Id] = Field(
        default_factory=list,
        description="Recipients this box names; empty = every recipient of its purposes",
    )
    pre_ticked: Tri = None
    required_to_continue: Tri = None


class Prominence(StrEnum):
    """How the way to refuse is shown, beside the way to accept."""

    EQUAL = "equal"  # the same size, level and contrast as accept
    LESS = "less"  # smaller, fainter, or a text link beside an accept button
    HIDDEN = "hidden"  # folded away, behind "more", or reached only by scrolling past accept


class Refusal(Strict):
    """What it takes to say no on a screen, against what it takes to say yes (issue 13: refusal parity)."""

    steps: Maybe[int] = Field(default=None, ge=0, description="Taps or steps to refuse")
    accept_steps: Maybe[int] = Field(default=None, ge=0, description="Taps or steps to accept")
    prominence: Maybe[Prominence] = Field(
        default=None, description="How refuse is shown beside accept; unknown when not stated"
    )


class Screen(Strict):
    id: Id
    title: Label | None = None
    blocks_home: Tri = None  # must be passed before the home screen
    notice: Id | None = None  # notice shown (or linked) on this screen
    fields: list[ScreenField] = Field(default_factory=list)
    consent_boxes: list[ConsentBox] = Field(default_factory=list)
    permissions: list[str] = Field(default_factory=list)
    actions: list[ScreenAction] = Field(default_factory=list)
    refusal: Refusal | None = Field(
        default=None, description="Steps and prominence of refusing against accepting, on this screen"
    )
    # Issue 18: true on screens `consentgate observe` saw; declared screens leave it out. Drift rules
    # compare the two (a field declared optional but required on an observed screen).
    observed: Tri = None
