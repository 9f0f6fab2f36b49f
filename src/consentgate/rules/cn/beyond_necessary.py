"""Rule 2: data outside the basic service's necessary PI claimed under contract necessity.

The yardstick is the app type's necessary PI, or for a service outside the 39 types the operator's own
statement of its basic service (`rules.necessity`), which the finding then says. An add-on the user
chose rests on its own contract (the court), so its data is not judged here. Where the basis, the
add-on's choice or necessity is not stated, the rule names what it needed instead of concluding.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, Manifest, Purpose, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.necessity import NecessaryScope, necessary_data_unknown, necessary_scope, necessity
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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        scope = necessary_scope(manifest)
        for purpose in manifest.purposes:
            yield from self._purpose(manifest, scope, purpose)

    def _purpose(
        self, manifest: Manifest, scope: NecessaryScope, purpose: Purpose
    ) -> Iterator[Hit | Unknown]:
        on_contract = None if purpose.basis is None else purpose.basis is Basis.CONTRACT_NECESSITY
        chosen = purpose.user_selected if purpose.kind is PurposeKind.ADD_ON else False
        if on_contract is False or chosen is True:
            return
        for index, data_id in enumerate(purpose.data):
            item = manifest.data_item(data_id)
            necessary = necessity(manifest, item, scope)
            if necessary is True:
                continue
            if on_contract is None or chosen is None or necessary is None:
                if on_contract is None:
                    yield Unknown(pointer("purposes", purpose.id, "basis"), f"purposes[{purpose.id}].basis")
                if chosen is None:
                    yield Unknown(
                        pointer("purposes", purpose.id, "user_selected"),
                        f"purposes[{purpose.id}].user_selected",
                    )
                if necessary is None:
                    yield necessary_data_unknown()
                continue
            yield Hit(
                pointer=pointer("purposes", purpose.id, "data", index),
                message=Text(
                    zh=f"“{item.id}”（{item.category}）不在{scope.service.zh}的必要个人信息范围内，"
                    f"不能以“履行合同所必需”为由处理（目的“{purpose.id}”）{scope.note.zh}。",
                    en=f"'{item.id}' ({item.category}) is outside the necessary PI of {scope.service.en} and "
                    f"cannot rest on contract necessity (purpose '{purpose.id}'){scope.note.en}.",
                ),
                citations=scope.citations,
                only=scope.own_clauses(self.citations),
                data=(item.id,),
                purpose=purpose.id,
            )
