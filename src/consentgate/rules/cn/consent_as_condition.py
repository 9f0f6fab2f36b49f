"""Rule 5: consent made the price of entry, bundled with the terms, or given for many things at once.

PIPL 16 forbids refusing a product or service because someone will not consent to processing
that the service does not need; PIPL 14 wants consent that is specific and freely given. A
required box over non-basic purposes, consent folded into "I accept the terms", one consent for
purposes of different kinds and a wall of permissions with no way past all fail those tests. One box
for several purposes of the same kind is the milder form (issue 12: each box covers one purpose).
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import ConsentBox, Manifest, Purpose, Screen, ScreenAction
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.facts import may_rest_on_contract, needs_no_consent
from consentgate.text import Text

_WAYS_AROUND = {ScreenAction.SKIP, ScreenAction.REFUSE}


class ConsentAsCondition(Rule):
    id = "CG-PIPL-016-CONSENT-AS-CONDITION"
    severity = Severity.HIGH
    title = Text(
        zh="以同意作为使用条件，或捆绑、概括式征求同意",
        en="Consent made a condition of use, bundled, or asked for many purposes at once",
    )
    remediation = Text(
        zh="按目的分别设置可不勾选的同意选项，拒绝非必要目的不影响进入首页和使用基本功能；"
        "隐私同意与用户协议分开；权限按需逐项申请，并提供拒绝或跳过。",
        en="Ask for consent per purpose with boxes that can stay unticked, and let people who refuse "
        "non-basic purposes still reach the home screen; separate privacy consent from the terms; "
        "request permissions one at a time when needed, with refuse or skip.",
    )
    citations = ("PIPL-16", "PIPL-14", "AVIM-4.6", "AVIM-4.2")
    rationale = Text(
        zh="被迫或概括作出的同意不是自愿、明确的同意，依法无效，等同于没有合法性基础。"
        "一个同意框涵盖同一种类的多项目的为较轻形式（中等）：各项仍经同意，只是无法分别选择。",
        en="Forced or blanket consent is neither free nor specific and so is void, which leaves the "
        "processing without a basis. One box over several purposes of one kind is the milder form "
        "(medium): each is consented to, but not one by one.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        for screen in manifest.onboarding:
            for index, box in enumerate(screen.consent_boxes):
                yield from _box_hits(manifest, screen, index, box)
            if screen.blocks_home and len(screen.permissions) > 1 and not _WAYS_AROUND & set(screen.actions):
                yield Hit(
                    pointer=pointer("onboarding", screen.id, "permissions"),
                    message=Text(
                        zh=f"界面“{screen.id}”一次性申请{len(screen.permissions)}项权限"
                        f"（{'、'.join(screen.permissions)}），且没有拒绝或跳过，不同意就无法进入首页。",
                        en=f"Screen '{screen.id}' asks for {len(screen.permissions)} permissions at once "
                        f"({', '.join(screen.permissions)}) with no refuse or skip, so refusing blocks the home screen.",
                    ),
                )
        if manifest.consent.bundled_with_terms:
            yield Hit(
                pointer=pointer("consent", "bundled_with_terms"),
                message=Text(
                    zh="个人信息处理的同意与用户协议捆绑在一起，接受服务条款即视为同意全部处理。",
                    en="Consent to processing is bundled with the terms of service: accepting the terms "
                    "counts as consent to all processing.",
                ),
            )
        consented = [p for p in manifest.purposes if not needs_no_consent(p)]
        if not manifest.consent.granular and len(consented) > 1:
            yield Hit(
                pointer=pointer("consent", "granular"),
                message=Text(
                    zh=f"同意不分目的：一次同意即覆盖{len(consented)}项需要同意的目的"
                    f"（{'、'.join(p.id for p in consented)}）。",
                    en=f"Consent is not granular: one consent covers {len(consented)} purposes that each "
                    f"need it ({', '.join(p.id for p in consented)}).",
                ),
            )


def _box_hits(manifest: Manifest, screen: Screen, index: int, box: ConsentBox) -> Iterator[Hit]:
    optional = [p for p in map(manifest.purpose, box.purposes) if not _may_be_required(p)]
    if box.required_to_continue and optional:
        yield Hit(
            pointer=pointer("onboarding", screen.id, "consent_boxes", index, "required_to_continue"),
            message=Text(
                zh=f"界面“{screen.id}”的同意框必须勾选才能继续，却涵盖非基本功能的目的（{_ids(optional, '、')}）。",
                en=f"A consent box on screen '{screen.id}' must be ticked to continue, yet it covers "
                f"purposes that are not basic functions ({_ids(optional, ', ')}).",
            ),
        )
    kinds = sorted({p.kind.value for p in optional})
    if len(kinds) > 1:
        yield Hit(
            pointer=pointer("onboarding", screen.id, "consent_boxes", index, "purposes"),
            message=Text(
                zh=f"界面“{screen.id}”的一个同意框同时涵盖不同种类的非必要目的（{'、'.join(kinds)}），无法分别同意。",
                en=f"One consent box on screen '{screen.id}' covers optional purposes of different kinds "
                f"({', '.join(kinds)}), so they cannot be agreed to separately.",
            ),
        )
    elif len(optional) > 1:
        # The milder form: purposes of one kind (two personalized feeds) still cannot be chosen apart.
        yield Hit(
            pointer=pointer("onboarding", screen.id, "consent_boxes", index, "purposes"),
            message=Text(
                zh=f"界面“{screen.id}”的一个同意框同时涵盖{len(optional)}项非必要目的（{_ids(optional, '、')}），"
                "无法只同意其中一项。",
                en=f"One consent box on screen '{screen.id}' covers {len(optional)} optional purposes "
                f"({_ids(optional, ', ')}), so a person cannot agree to one without the other.",
            ),
            severity=Severity.MEDIUM,
        )


def _may_be_required(purpose: Purpose) -> bool:
    """PIPL 16's exception: what the service needs (or the law requires) may be a condition of use."""
    return may_rest_on_contract(purpose) or needs_no_consent(purpose)


def _ids(purposes: list[Purpose], sep: str) -> str:
    return sep.join(p.id for p in purposes)
