"""Rule 2: data outside the app type's necessary PI claimed under contract necessity."""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, Manifest, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.facts import app_type, is_necessary
from consentgate.text import Text


class BeyondNecessary(Rule):
    id = "CG-PIPL-013-BEYOND-NECESSARY"
    severity = Severity.HIGH
    title = Text(
        zh="以“履行合同所必需”处理超出必要个人信息范围的数据",
        en="Data outside the necessary scope claimed as necessary for the contract",
    )
    remediation = Text(
        zh="合同必需只覆盖该类 App 基本功能的必要个人信息；其他数据改以个人同意为基础，并允许拒绝。",
        en="Contract necessity covers only the app type's necessary PI for its basic function; "
        "base other data on consent that can be refused.",
    )
    citations = ("PIPL-13.2", "PIPL-6", "NPI-article-3")
    rationale = Text(
        zh="没有合法性基础的处理即违法处理。",
        en="Processing without a valid legal basis is unlawful processing.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        kind = app_type(manifest)
        for purpose in manifest.purposes:
            if purpose.basis is not Basis.CONTRACT_NECESSITY or (
                purpose.kind is PurposeKind.ADD_ON and purpose.user_selected
            ):
                continue
            for index, data_id in enumerate(purpose.data):
                item = manifest.data_item(data_id)
                if is_necessary(manifest, item):
                    continue
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "data", index),
                    message=Text(
                        zh=f"“{item.id}”（{item.category}）不在{kind.name.zh}App 的必要个人信息范围内，"
                        f"不能以“履行合同所必需”为由处理（目的“{purpose.id}”）。",
                        en=f"'{item.id}' ({item.category}) is outside the necessary PI of a "
                        f"{kind.name.en} app and cannot rest on contract necessity (purpose '{purpose.id}').",
                    ),
                    citations=(kind.citation,),
                )
