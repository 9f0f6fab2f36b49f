"""Rule 3: personalization or "better experience" purposes claimed as necessary for the contract.

Contract necessity covers basic functions and add-ons the user chose (`facts.may_rest_on_contract`).
Any other purpose stated to rest on `contract-necessity` is a finding, and so is an add-on stated as
`user_selected: false`. Where that turns on a fact the manifest leaves out (the basis of a purpose
that could not rest on the contract, or whether the user chose an add-on claimed as contract), the
check is unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, Manifest, Purpose, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import may_rest_on_contract
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class PersonalizationAsContract(Rule):
    id = "CG-PIPL-013-PERSONALIZATION-AS-CONTRACT"
    severity = Severity.HIGH
    title = Text(
        zh="将个性化推送、提升体验等目的当作“履行合同所必需”",
        en="Personalization or 'better experience' claimed as necessary for the contract",
    )
    remediation = Text(
        zh="个性化推荐、营销、分析等不是基本功能，应以可拒绝、可撤回的同意为基础；"
        "若是用户主动开启的附加功能，请标为 kind: add-on 并设 user_selected: true。",
        en="Personalization, marketing and analytics are not basic functions: base them on consent "
        "that can be refused and withdrawn; an add-on the user turned on is kind: add-on with user_selected: true.",
    )
    citations = ("PIPL-13.2", "AVIM-4.5")
    rationale = Text(
        zh="法院明确驳回了被告以个性化推送为由主张合同必需的抗辩。",
        en="The court expressly rejected the defendant's contract-necessity defence for personalized push.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            if may_rest_on_contract(purpose):
                continue
            if purpose.basis is None:
                yield unstated("purposes", purpose.id, "basis")
            elif purpose.basis is not Basis.CONTRACT_NECESSITY:
                continue
            elif purpose.kind is PurposeKind.ADD_ON and purpose.user_selected is None:
                yield unstated("purposes", purpose.id, "user_selected")
            else:
                yield _hit(purpose)


def _hit(purpose: Purpose) -> Hit:
    return Hit(
        pointer=pointer("purposes", purpose.id, "basis"),
        message=Text(
            zh=f"目的“{purpose.id}”属于“{purpose.kind.value}”，不是基本功能，也不是用户自主选择的附加功能，"
            "不能以履行合同所必需为合法性基础。",
            en=f"Purpose '{purpose.id}' is '{purpose.kind.value}', neither a basic function nor "
            "an add-on the user chose, so it cannot rest on contract necessity.",
        ),
        data=tuple(purpose.data),
        purpose=purpose.id,
    )
