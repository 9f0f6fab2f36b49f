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
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Screen, ScreenAction
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.cited import status_note
from consentgate.rules.facts import needs_no_consent
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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        way_in = False  # an earlier screen let the person in without agreeing
        declined: set[str] = set()  # notices already offered with refuse or skip
        for screen in manifest.onboarding:
            actions = set(screen.actions)
            if _traps(manifest, screen) and not way_in and screen.notice not in declined:
                yield _hit(screen)
            if ScreenAction.BROWSE in actions and screen.blocks_home:
                way_in = True
            if screen.notice is not None and actions & _DECLINE:
                declined.add(screen.notice)


def _traps(manifest: Manifest, screen: Screen) -> bool:
    """Shows a notice over consent-based processing, and only agreeing leads on."""
    if screen.notice is None or not screen.blocks_home:
        return False
    actions = set(screen.actions)
    if not actions & _ACCEPT or actions & _DECLINE:
        return False
    notice = next((n for n in manifest.notices if n.id == screen.notice), None)
    covered = (notice.purposes if notice is not None else []) or [p.id for p in manifest.purposes]
    return any(not needs_no_consent(manifest.purpose(p)) for p in covered)


def _hit(screen: Screen) -> Hit:
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
    )
