"""Conduct: personal information actually collected before consent, or before the notice.

The design rule 4 asks whether the onboarding shows a notice before collecting; this one reads
`conduct.collections`, what was observed: data collected before the person consented (AVIM 3.1) or
before any notice was shown (PIPL 17). In the seed case the plaintiff was put straight on a login page
with an account he never asked for, "未经过勾选个人信息相关知情同意的步骤", and questioned.

Before the notice is always a finding: PIPL 17 wants notice before any processing, whatever its basis.
Before consent is one only for data that needs consent, judged from the purposes using it: data no
purpose uses has no basis at all, and data used only by purposes whose stated basis needs no consent
(contract necessity as the court drew it, a legal obligation) may be collected without it. Where that
depends on a basis the manifest leaves unstated, the check stays unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import Collection
from consentgate.manifest.models import Basis, Manifest, Purpose, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn._conduct import named, on, record_at, taken_by, unstated
from consentgate.rules.facts import needs_no_consent
from consentgate.text import Text


class CollectedBeforeConsent(Rule):
    id = "CG-AVIM-031-COLLECTED-BEFORE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="征得同意或告知处理规则之前就已收集个人信息",
        en="Personal information collected before consent, or before the notice",
    )
    remediation = Text(
        zh="把收集推迟到展示隐私政策、个人同意之后：首次运行先告知，需同意的信息在同意前不收集、不上传，"
        "权限在同意后再申请；删除此前收集的信息。",
        en="Collect only after the notice is shown and the person has consented: notice on first run, nothing "
        "that needs consent collected or uploaded before it, permissions asked afterwards; delete what was "
        "collected before.",
    )
    citations = ("AVIM-3.1", "PIPL-13", "PIPL-17", "CIVIL-1035.1", "CIVIL-1035.2")
    rationale = Text(
        zh="未经告知、同意的收集自始无合法基础；原案法院正是据此认定侵权。",
        en="Collection before notice and consent has no basis from the start; the seed court found exactly this.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return  # conduct is optional evidence: nothing recorded, nothing to judge
        for index, collection in enumerate(manifest.conduct.collections):
            if taken_by(manifest, collection) is not None:
                continue  # an SDK's or another app's own collection: CG-AVIM-053-SDK-WITHOUT-CONSENT
            yield from _before_notice(index, collection)
            yield from _before_consent(manifest, index, collection)


def _before_notice(index: int, collection: Collection) -> Iterator[Hit | Unknown]:
    if collection.before_notice is None:
        yield unstated("collections", collection, index, "before_notice")
    elif collection.before_notice:
        what, where = _what(collection.data), _where(collection)
        yield Hit(
            pointer=record_at("collections", collection, index, "before_notice"),
            message=Text(
                zh=f"收集记录{named(collection, index).zh}：{what.zh}{where.zh}在展示处理规则之前就已收集。",
                en=f"Collection {named(collection, index).en}: {what.en} was collected{where.en} before any "
                "notice was shown.",
            ),
            only=("PIPL-17", "CIVIL-1035.2"),
            data=tuple(collection.data),
        )


def _before_consent(manifest: Manifest, index: int, collection: Collection) -> Iterator[Hit | Unknown]:
    needing: list[str] = []
    purposes: dict[str, None] = {}
    unknown: dict[str, Unknown] = {}
    for data_id in collection.data:
        needed, using, facts = _needs_consent(manifest, data_id)
        if needed:
            needing.append(data_id)
            purposes.update(dict.fromkeys(using))
        elif needed is None:
            unknown.update(facts)
    if collection.data and not needing and not unknown:
        return  # every item rests on a basis that needs no consent
    # With no data items stated, AVIM 3.1 applies as written: to any collection before consent.
    if collection.before_consent is None:
        yield unstated("collections", collection, index, "before_consent")
        return
    if not collection.before_consent:
        return
    yield from unknown.values()  # collected before consent; whether these items needed it is unstated
    if collection.data and not needing:
        return
    what, where = _what(needing), _where(collection)
    yield Hit(
        pointer=record_at("collections", collection, index, "before_consent"),
        message=Text(
            zh=f"收集记录{named(collection, index).zh}：{what.zh}{where.zh}在征得个人同意之前就已收集。",
            en=f"Collection {named(collection, index).en}: {what.en} was collected{where.en} before the "
            "person consented.",
        ),
        only=("AVIM-3.1", "PIPL-13", "CIVIL-1035.1"),
        data=tuple(needing),
        purpose=next(iter(purposes)) if len(purposes) == 1 else None,
    )


def _needs_consent(manifest: Manifest, data_id: str) -> tuple[bool | None, list[str], dict[str, Unknown]]:
    """(whether collecting `data_id` needs consent, the purposes that need it, the facts left unstated)."""
    using = manifest.purposes_using(data_id)
    if not using:
        return True, [], {}  # no purpose, no basis
    needing = [p.id for p in using if _purpose_needs_consent(p) is True]
    if needing:
        return True, needing, {}
    unknown = {fact: Unknown(at, fact) for p in using for at, fact in _unstated_basis(p)}
    return (None if unknown else False), [], unknown


def _purpose_needs_consent(purpose: Purpose) -> bool | None:
    if purpose.basis is None:
        return None
    add_on_by_contract = purpose.basis is Basis.CONTRACT_NECESSITY and purpose.kind is PurposeKind.ADD_ON
    if add_on_by_contract and purpose.user_selected is None:
        return None  # contract necessity covers an add-on only if the user chose it
    return not needs_no_consent(purpose)


def _unstated_basis(purpose: Purpose) -> Iterator[tuple[str, str]]:
    if purpose.basis is None:
        yield pointer("purposes", purpose.id, "basis"), f"purposes[{purpose.id}].basis"
    elif _purpose_needs_consent(purpose) is None:
        yield pointer("purposes", purpose.id, "user_selected"), f"purposes[{purpose.id}].user_selected"


def _what(data: list[str]) -> Text:
    if not data:
        return Text(zh="个人信息", en="personal information")
    return Text(zh=f"个人信息（{'、'.join(data)}）", en=f"personal information ({', '.join(data)})")


def _where(collection: Collection) -> Text:
    screen = (
        Text(zh=f"于界面“{collection.screen}”", en=f" on screen '{collection.screen}'")
        if collection.screen
        else Text(zh="", en="")
    )
    day = on(collection.date)
    return Text(zh=f"{screen.zh}{day.zh}", en=f"{screen.en}{day.en}")
