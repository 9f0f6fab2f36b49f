"""A notice screen whose only alternative to agreeing is leaving the app.

Refusing the privacy notice is refusing the processing it describes; when that processing goes
beyond what the service needs, PIPL 16 forbids refusing the service for it, and MIIT's 2023 notice
(draft wording) and its 2021 draft provisions (news quotation) say refusal must not block basic use
or close the app. Apps answer with a browse-only mode (「仅浏览」/「基本功能模式」). So a screen that
shows a notice with `agree` or `submit` and otherwise only `exit`, `back` or nothing is a finding,
unless:
- everything the notice covers needs no consent (contract necessity, legal duty): refusing it is
  refusing the service itself, which PIPL 16 allows; or
- an earlier screen already offered `browse`, or showed the same notice with `refuse` or `skip`:
  the person has had the way in without agreeing (the fixed app's login after its welcome screen).
A notice that no screen shows is CG-PIPL-017-NO-PRIOR-NOTICE's finding.

What must be stated: `blocks_home` of the notice screen (and of an earlier `browse` screen, whose way
in counts only when it stands before the home screen), and the basis of each purpose the notice
covers (`rules/reliance.py`; one that rests on consent is enough). Where the finding depends on one
of these and it is not stated, the check stays unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Screen, ScreenAction
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.reliance import Reliance, reliance
from consentgate.text import Text

_ACCEPT = {ScreenAction.AGREE, ScreenAction.SUBMIT}
_DECLINE = {ScreenAction.BROWSE, ScreenAction.REFUSE, ScreenAction.SKIP}


class NoticeAgreeOrLeave(Rule):
    id = "CG-PIPL-016-NOTICE-AGREE-OR-LEAVE"
    severity = Severity.HIGH
    title = Text(
        zh="隐私政策界面只能同意或退出：拒绝即无法使用基本功能",
        en="The notice screen offers only agree or leave: refusing it blocks basic use",
    )
    remediation = Text(
        zh="在展示隐私政策的界面提供“不同意，仅浏览”（actions 中加入 browse）或拒绝、跳过：拒绝后进入无需账号、"
        "不处理非必要个人信息的基本功能或浏览模式，并可随时再同意。",
        en="Offer 'disagree and browse only' on the notice screen (add `browse` to its actions), or refuse "
        "or skip: refusing leads to a browse-only or basic mode that needs no account and no "
        "non-necessary personal information, with an easy way to agree later.",
    )
    citations = (
        "PIPL-16",
        "AVIM-4.2",
        "MIIT-2023-26.pi.1",
        "MIIT-2021-draft.refusal-must-not-block",
    )
    rationale = Text(
        zh="同意成为使用App的前提，即为被迫作出的同意（种子案件法院据此认定同意无效）；处理因此没有有效的同意基础。",
        en="Consent made the price of using the app is forced (the seed court held such consent invalid), "
        "so the processing has no valid consent.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        way_in = False  # an earlier screen let the person in without agreeing
        maybe_in: list[Unknown] = []  # earlier browse screens that may stand before the home screen
        declined: set[str] = set()  # notices already offered with refuse or skip
        for screen in manifest.onboarding:
            actions = set(screen.actions)
            if not way_in and screen.notice not in declined and _only_agree(screen):
                covered = _covered(manifest, screen)
                if covered.consent or covered.unknown:
                    unknown = [*maybe_in, *(() if covered.consent else covered.unknowns())]
                    if screen.blocks_home is None:
                        unknown.append(_blocks_home(screen))
                    if unknown:
                        yield from unknown
                    else:
                        yield _hit(screen, covered)
            if ScreenAction.BROWSE in actions:
                if screen.blocks_home is True:
                    way_in = True
                elif screen.blocks_home is None:
                    maybe_in.append(_blocks_home(screen))
            if screen.notice is not None and actions & _DECLINE:
                declined.add(screen.notice)


def _only_agree(screen: Screen) -> bool:
    """Shows a notice, may stand before the home screen, and only agreeing leads on."""
    if screen.notice is None or screen.blocks_home is False:
        return False
    actions = set(screen.actions)
    return bool(actions & _ACCEPT) and not actions & _DECLINE


def _covered(manifest: Manifest, screen: Screen) -> Reliance:
    """Which purposes of the screen's notice rest on consent, and which may."""
    notice = next((n for n in manifest.notices if n.id == screen.notice), None)
    covered = (notice.purposes if notice is not None else []) or [p.id for p in manifest.purposes]
    return reliance(manifest.purpose(p) for p in covered)


def _blocks_home(screen: Screen) -> Unknown:
    return Unknown(pointer("onboarding", screen.id, "blocks_home"), f"onboarding[{screen.id}].blocks_home")


def _hit(screen: Screen, covered: Reliance) -> Hit:
    others = [a.value for a in screen.actions if a not in _ACCEPT]
    note = status_note(NoticeAgreeOrLeave.citations)
    shown = Text(zh="、".join(others), en=", ".join(others)) if others else Text(zh="无", en="none")
    return Hit(
        pointer=pointer("onboarding", screen.id, "actions"),
        message=Text(
            zh=f"界面“{screen.id}”展示告知文本“{screen.notice}”，除同意外只有：{shown.zh}；"
            f"没有“仅浏览”、拒绝或跳过，不同意就无法使用App。{note.zh}",
            en=f"Screen '{screen.id}' shows notice '{screen.notice}' and offers besides agreeing only: "
            f"{shown.en}; with no browse-only, refuse or skip, refusing the notice shuts the app.{note.en}",
        ),
        data=covered.data,
        purpose=covered.purpose,
    )
