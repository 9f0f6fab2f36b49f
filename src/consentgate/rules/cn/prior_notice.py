"""Rule 4: personal information collected before any notice was shown.

In the seed case the plaintiff went straight to the login page "未经过勾选个人信息相关知情同意的步骤":
a notice that exists but is shown only afterwards, on request or never does not inform anyone.
A before-collection notice that no onboarding screen carries is taken as the first-run pop-up;
one that a screen carries is shown there, so screens before it collect without notice. Only
`notices: []` states that there is no notice; a manifest silent about notices, or about when one is
shown, leaves the check unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, NoticeTiming, Screen
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text

_TIMING = {
    NoticeTiming.AFTER_COLLECTION: Text(zh="收集之后才展示", en="shown only after collection"),
    NoticeTiming.ON_REQUEST: Text(zh="仅在用户查找时可见", en="shown only on request"),
    NoticeTiming.NEVER: Text(zh="从未展示", en="never shown"),
}


class NoPriorNotice(Rule):
    id = "CG-PIPL-017-NO-PRIOR-NOTICE"
    severity = Severity.HIGH
    title = Text(
        zh="收集个人信息前未告知处理规则",
        en="Personal information collected before any notice is shown",
    )
    remediation = Text(
        zh="在首次运行、收集任何个人信息或申请权限之前，以弹窗等显著方式展示隐私政策，"
        "并在用户阅读、同意后再开始收集。",
        en="Show the privacy notice prominently (a first-run pop-up or the first screen) before any "
        "personal information is collected or any permission is requested, and collect only afterwards.",
    )
    citations = ("PIPL-17", "AVIM-1.2", "AVIM-3.1", "CIVIL-1035.2")
    rationale = Text(
        zh="未事先告知，个人就无从知情同意，此后的收集均缺乏有效基础；法院在原案中认定了这一事实。",
        en="Without prior notice no consent can be informed, so everything collected after it lacks a "
        "valid basis; the court found exactly this in the seed case.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if not manifest.states("notices"):
            yield Unknown(pointer("notices"), "notices")
            return
        unstated = [n for n in manifest.notices if n.shown is None]
        for notice in unstated:
            yield Unknown(pointer("notices", notice.id, "shown"), f"notices[{notice.id}].shown")
        before = {n.id for n in manifest.notices if n.shown is NoticeTiming.BEFORE_COLLECTION}
        if not manifest.notices:
            yield Hit(
                pointer=pointer("notices"),
                message=Text(
                    zh="清单中没有任何隐私政策或告知文本，收集个人信息前未履行告知义务。",
                    en="The manifest has no privacy notice at all, so nothing is disclosed before collection.",
                ),
            )
        elif not before and not unstated:
            for notice in manifest.notices:
                assert notice.shown is not None and notice.shown is not NoticeTiming.BEFORE_COLLECTION
                timing = _TIMING[notice.shown]
                yield Hit(
                    pointer=pointer("notices", notice.id, "shown"),
                    message=Text(
                        zh=f"告知文本“{notice.id}”{timing.zh}，没有任何告知在收集之前展示。",
                        en=f"Notice '{notice.id}' is {timing.en}; no notice is shown before collection.",
                    ),
                )
        elif not unstated and before <= {s.notice for s in manifest.onboarding}:
            # A notice whose timing is unstated may be the first-run pop-up: screens are judged only
            # once every notice says when it is shown.
            yield from _screens_before_notice(manifest.onboarding, before)


def _screens_before_notice(screens: list[Screen], before: set[str]) -> Iterator[Hit]:
    """Screens that collect data or ask for permissions before the first screen showing the notice."""
    for screen in screens:
        if screen.notice in before:
            return
        if screen.fields:
            at = pointer("onboarding", screen.id, "fields", 0)
        elif screen.permissions:
            at = pointer("onboarding", screen.id, "permissions", 0)
        else:
            continue
        yield Hit(
            pointer=at,
            message=Text(
                zh=f"界面“{screen.id}”在展示隐私政策之前就收集个人信息或申请权限。",
                en=f"Screen '{screen.id}' collects personal information or asks for permissions "
                "before any screen shows the privacy notice.",
            ),
            data=tuple(dict.fromkeys(f.data for f in screen.fields)),
        )
