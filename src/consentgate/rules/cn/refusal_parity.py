"""Issue 13: refusing is made harder than agreeing, on a screen that offers both.

Consent must be given voluntarily (PIPL 14) and personal information must not be processed by
misleading means (PIPL 5). MIIT's 2023 notice (draft wording) forbids inducing agreement by "默认勾选、
缩小文字、冗长文本等方式", and AVIM 3.7 names misleading users into agreeing by improper means. A
refuse option that is hidden, or shown smaller or fainter than agree, steers the choice; so does one
that takes more steps. A screen that offers agree beside refuse, skip or browse-only must say what
each takes (`refusal`); screens that only tick boxes are judged by the box rules, and screens with no
way to refuse by CG-PIPL-016-NOTICE-AGREE-OR-LEAVE.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Prominence, Refusal, Screen, ScreenAction
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.text import Text

_DECLINE = {ScreenAction.REFUSE, ScreenAction.SKIP, ScreenAction.BROWSE}
_PROMINENCE_CLAUSES = ("PIPL-14", "PIPL-5", "MIIT-2023-26.pi.2", "AVIM-3.7")
_STEPS_CLAUSES = ("PIPL-14", "PIPL-5")
_SHOWN = {
    Prominence.HIDDEN: Text(zh="被折叠或隐藏", en="hidden (folded away, behind 'more' or below the fold)"),
    Prominence.LESS: Text(
        zh="比“同意”更小、更淡或仅为文字链接", en="smaller or fainter than agree, or a bare link"
    ),
}


class RefusalHarderThanConsent(Rule):
    id = "CG-PIPL-014-REFUSAL-HARDER-THAN-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="拒绝比同意更难：拒绝选项被隐藏、弱化或需要更多步骤",
        en="Refusing is made harder than agreeing: hidden, played down, or more steps",
    )
    remediation = Text(
        zh="将“拒绝”“不同意”与“同意”并列展示，大小、颜色和位置相同，一步即可完成"
        "（refusal: {steps: 1, accept_steps: 1, prominence: equal}）。",
        en="Show refuse beside agree with the same size, colour and place, and let it take one step like "
        "agree (refusal: {steps: 1, accept_steps: 1, prominence: equal}).",
    )
    citations = _PROMINENCE_CLAUSES
    rationale = Text(
        zh="隐藏拒绝选项使拒绝事实上不可能，同意即非自愿（高）；弱化展示或多设步骤是在引导同意，"
        "为较轻形式（中等）。步骤比较是我们对“自愿”的理解，参考文本未规定具体步数。",
        en="A hidden refuse option leaves no real choice, so the consent is not voluntary (high); a "
        "played-down option or extra steps steer the choice, the milder form (medium). Comparing steps "
        "is our reading of 'voluntary': no reference text sets a number of steps.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for screen in manifest.onboarding:
            if screen.refusal is not None:
                yield from _judge(screen, screen.refusal)
            elif _offers_both(screen):
                yield Unknown(pointer("onboarding", screen.id, "refusal"), f"onboarding[{screen.id}].refusal")


def _offers_both(screen: Screen) -> bool:
    actions = set(screen.actions)
    return ScreenAction.AGREE in actions and bool(actions & _DECLINE)


def _judge(screen: Screen, refusal: Refusal) -> Iterator[Hit | Unknown]:
    at = ("onboarding", screen.id, "refusal")
    fact = f"onboarding[{screen.id}].refusal"
    if refusal.prominence is None:
        yield Unknown(pointer(*at, "prominence"), f"{fact}.prominence")
    elif refusal.prominence is not Prominence.EQUAL:
        yield _prominence_hit(screen, refusal.prominence, pointer(*at, "prominence"))
    for name in ("steps", "accept_steps"):
        if getattr(refusal, name) is None:
            yield Unknown(pointer(*at, name), f"{fact}.{name}")
    if (
        refusal.steps is not None
        and refusal.accept_steps is not None
        and refusal.steps > refusal.accept_steps
    ):
        yield Hit(
            pointer=pointer(*at, "steps"),
            message=Text(
                zh=f"界面“{screen.id}”拒绝需要{refusal.steps}步，同意只需{refusal.accept_steps}步。",
                en=f"On screen '{screen.id}' refusing takes {refusal.steps} steps, agreeing "
                f"{refusal.accept_steps}.",
            ),
            severity=Severity.MEDIUM,
            only=_STEPS_CLAUSES,
        )


def _prominence_hit(screen: Screen, prominence: Prominence, at: str) -> Hit:
    note = status_note(_PROMINENCE_CLAUSES)
    shown = _SHOWN[prominence]
    return Hit(
        pointer=at,
        message=Text(
            zh=f"界面“{screen.id}”的拒绝选项{shown.zh}，以展示方式引导用户同意。{note.zh}",
            en=f"On screen '{screen.id}' the way to refuse is {shown.en}, which steers people to agree.{note.en}",
        ),
        severity=None if prominence is Prominence.HIDDEN else Severity.MEDIUM,
        only=_PROMINENCE_CLAUSES,
    )
