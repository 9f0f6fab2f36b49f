"""Rule 5: consent made the price of entry, bundled with the terms, or given for many things at once.

PIPL 16 forbids refusing a product or service because someone will not consent to processing
that the service does not need; PIPL 14 wants consent that is specific and freely given. A
required box over non-basic purposes, consent folded into "I accept the terms", one consent for
purposes of different kinds and a wall of permissions with no way past all fail those tests. One box
for several purposes of the same kind is the milder form (issue 12: each box covers one purpose).

A required box over a purpose that may be required (a basic function, a basis that needs no consent)
is still a condition of use: the data that purpose processes is judged against the basic service's
necessary PI, whatever basis is claimed (PIPL 16, NPI Art. 4) — for a service outside the 39 types
against the operator's own statement (`rules.necessity`), which the finding then says.

Where a fact that decides a check is unstated (whether a box must be ticked, a screen's `blocks_home`
or `actions`, a purpose's basis, `consent.bundled_with_terms` or `consent.granular`), the rule names it
instead of concluding.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import ConsentBox, DataItem, Manifest, Purpose, Screen
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import basis_facts, consent_needed, may_be_required, screen_fact, way_around
from consentgate.rules.necessity import (
    NecessaryScope,
    beyond_necessary,
    named,
    necessary_data_unknown,
    necessary_scope,
)
from consentgate.text import Text

Result = Iterator[Hit | Unknown]


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

    def evaluate(self, manifest: Manifest) -> Result:
        scope = necessary_scope(manifest)
        for screen in manifest.onboarding:
            for index, box in enumerate(screen.consent_boxes):
                yield from _box_hits(manifest, scope, screen, index, box)
            yield from _permission_wall(screen)
        yield from _bundled(manifest)
        yield from _not_granular(manifest)


def _permission_wall(screen: Screen) -> Result:
    if len(screen.permissions) <= 1:
        return
    way = way_around(screen)
    if screen.blocks_home is False or way is True:
        return
    if screen.blocks_home is None or way is None:
        if screen.blocks_home is None:
            yield screen_fact(screen, "blocks_home")
        if way is None:
            yield screen_fact(screen, "actions")
        return
    yield Hit(
        pointer=pointer("onboarding", screen.id, "permissions"),
        message=Text(
            zh=f"界面“{screen.id}”一次性申请{len(screen.permissions)}项权限"
            f"（{'、'.join(screen.permissions)}），且没有拒绝或跳过，不同意就无法进入首页。",
            en=f"Screen '{screen.id}' asks for {len(screen.permissions)} permissions at once "
            f"({', '.join(screen.permissions)}) with no refuse or skip, so refusing blocks the home screen.",
        ),
    )


def _bundled(manifest: Manifest) -> Result:
    bundled = manifest.consent.bundled_with_terms
    if bundled is None:
        if any(consent_needed(p) is not False for p in manifest.purposes):
            yield Unknown(pointer("consent", "bundled_with_terms"), "consent.bundled_with_terms")
    elif bundled:
        yield Hit(
            pointer=pointer("consent", "bundled_with_terms"),
            message=Text(
                zh="个人信息处理的同意与用户协议捆绑在一起，接受服务条款即视为同意全部处理。",
                en="Consent to processing is bundled with the terms of service: accepting the terms "
                "counts as consent to all processing.",
            ),
        )


def _not_granular(manifest: Manifest) -> Result:
    consented = [p for p in manifest.purposes if consent_needed(p) is True]
    unsure = [p for p in manifest.purposes if consent_needed(p) is None]
    granular = manifest.consent.granular
    if granular is True or len(consented) + len(unsure) <= 1:
        return
    if granular is None:
        yield Unknown(pointer("consent", "granular"), "consent.granular")
    elif len(consented) > 1:
        yield Hit(
            pointer=pointer("consent", "granular"),
            message=Text(
                zh=f"同意不分目的：一次同意即覆盖{len(consented)}项需要同意的目的"
                f"（{_ids(consented, '、')}）。",
                en=f"Consent is not granular: one consent covers {len(consented)} purposes that each "
                f"need it ({_ids(consented, ', ')}).",
            ),
        )
    else:
        for purpose in unsure:
            yield from basis_facts(purpose)


def _box_hits(
    manifest: Manifest, scope: NecessaryScope, screen: Screen, index: int, box: ConsentBox
) -> Result:
    purposes = [manifest.purpose(p) for p in box.purposes]
    required = [may_be_required(p) for p in purposes]
    optional = [p for p, r in zip(purposes, required, strict=True) if r is False]
    unsure = [p for p, r in zip(purposes, required, strict=True) if r is None]
    if box.required_to_continue is not False:
        yield from _required_box(manifest, scope, screen, index, box, optional, unsure)
    yield from _one_box_many_purposes(screen, index, optional, unsure)


def _required_box(
    manifest: Manifest,
    scope: NecessaryScope,
    screen: Screen,
    index: int,
    box: ConsentBox,
    optional: list[Purpose],
    unsure: list[Purpose],
) -> Result:
    """A box that must be ticked (or may have to be) to continue: over optional purposes or unnecessary data.

    Unnecessary data in such a box is a finding whatever the basis: an optional purpose could not be
    required at all, and one that may be required may demand only what the service needs. So only an
    unsure purpose whose data is all necessary leaves its basis to be stated.
    """
    beyond: dict[int, tuple[Purpose, list[DataItem]]] = {}
    unknown_necessity = False
    optional_ids = {p.id for p in optional}
    for j, purpose_id in enumerate(box.purposes):
        purpose = manifest.purpose(purpose_id)
        if purpose.id in optional_ids:
            continue
        items, unknown = beyond_necessary(manifest, scope, purpose.data)
        unknown_necessity |= unknown
        if items:
            beyond[j] = (purpose, items)
    if box.required_to_continue is None:
        if optional or unsure or beyond or unknown_necessity:
            yield screen_fact(screen, "consent_boxes", index, "required_to_continue")
        if unknown_necessity:
            yield necessary_data_unknown()
        return
    if optional:
        yield _optional_purposes_required(screen, index, optional)
    else:
        beyond_ids = {purpose.id for purpose, _ in beyond.values()}
        for purpose in unsure:
            if purpose.id not in beyond_ids:
                yield from basis_facts(purpose)
    if unknown_necessity:
        yield necessary_data_unknown()
    for j, (purpose, items) in beyond.items():
        yield _unnecessary_data_required(scope, screen, (index, j), purpose, items)


def _optional_purposes_required(screen: Screen, index: int, optional: list[Purpose]) -> Hit:
    return Hit(
        pointer=pointer("onboarding", screen.id, "consent_boxes", index, "required_to_continue"),
        message=Text(
            zh=f"界面“{screen.id}”的同意框必须勾选才能继续，却涵盖非基本功能的目的（{_ids(optional, '、')}）。",
            en=f"A consent box on screen '{screen.id}' must be ticked to continue, yet it covers "
            f"purposes that are not basic functions ({_ids(optional, ', ')}).",
        ),
        purpose=optional[0].id if len(optional) == 1 else None,
    )


def _unnecessary_data_required(
    scope: NecessaryScope, screen: Screen, at: tuple[int, int], purpose: Purpose, items: list[DataItem]
) -> Hit:
    """PIPL 16 whatever the basis: ticking the box is the price of the service, so its data must be necessary."""
    index, j = at
    what = named(items)
    return Hit(
        pointer=pointer("onboarding", screen.id, "consent_boxes", index, "purposes", j),
        message=Text(
            zh=f"界面“{screen.id}”的同意框必须勾选才能继续，其目的“{purpose.id}”处理的{what.zh}"
            f"不属于{scope.service.zh}的必要个人信息：不同意处理非必要个人信息就无法使用服务{scope.note.zh}。",
            en=f"A consent box on screen '{screen.id}' must be ticked to continue, and its purpose "
            f"'{purpose.id}' processes {what.en}, which is not necessary personal information of "
            f"{scope.service.en}: refusing non-necessary processing blocks the service{scope.note.en}.",
        ),
        citations=() if scope.stated_by_operator else ("NPI-article-4", *scope.citations),
        only=("PIPL-16",) if scope.stated_by_operator else ("PIPL-16", "AVIM-4.2"),
        data=tuple(i.id for i in items),
        purpose=purpose.id,
    )


def _one_box_many_purposes(
    screen: Screen, index: int, optional: list[Purpose], unsure: list[Purpose]
) -> Result:
    kinds = sorted({p.kind.value for p in optional})
    could_be = sorted({p.kind.value for p in optional + unsure})
    at = pointer("onboarding", screen.id, "consent_boxes", index, "purposes")
    if len(kinds) > 1:
        yield Hit(
            pointer=at,
            message=Text(
                zh=f"界面“{screen.id}”的一个同意框同时涵盖不同种类的非必要目的（{'、'.join(kinds)}），无法分别同意。",
                en=f"One consent box on screen '{screen.id}' covers optional purposes of different kinds "
                f"({', '.join(kinds)}), so they cannot be agreed to separately.",
            ),
        )
        return
    if len(could_be) > 1 or (len(optional) <= 1 and len(optional) + len(unsure) > 1):
        for purpose in unsure:
            yield from basis_facts(purpose)
    if len(optional) > 1:
        # The milder form: purposes of one kind (two personalized feeds) still cannot be chosen apart.
        yield Hit(
            pointer=at,
            message=Text(
                zh=f"界面“{screen.id}”的一个同意框同时涵盖{len(optional)}项非必要目的（{_ids(optional, '、')}），"
                "无法只同意其中一项。",
                en=f"One consent box on screen '{screen.id}' covers {len(optional)} optional purposes "
                f"({_ids(optional, ', ')}), so a person cannot agree to one without the other.",
            ),
            severity=Severity.MEDIUM,
        )


def _ids(purposes: list[Purpose], sep: str) -> str:
    return sep.join(p.id for p in purposes)
