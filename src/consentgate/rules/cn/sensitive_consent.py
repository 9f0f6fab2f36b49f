"""Rule 12: sensitive personal information processed without separate consent.

PIPL 29 requires separate (or, where a law says so, written) consent for sensitive data. Only a
basis that needs no consent at all lifts that: the law, an emergency, or contract necessity for
an item the basic service's necessary PI actually includes (the app type's scope, or for a service
outside the 39 types the operator's own statement, which the finding then says). Where the basis, an
add-on's choice or necessity is not stated, the rule names what it needed instead of concluding.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, DataItem, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import all_of, basis_facts, consent_needed, contract_may_cover, is_sensitive
from consentgate.rules.necessity import NecessaryScope, necessary_data_unknown, necessary_scope, necessity
from consentgate.text import Text


class SensitiveWithoutSeparateConsent(Rule):
    id = "CG-PIPL-029-SENSITIVE-WITHOUT-SEPARATE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="处理敏感个人信息未取得单独同意",
        en="Sensitive personal information processed without separate consent",
    )
    remediation = Text(
        zh="处理前告知处理敏感个人信息的必要性及对个人权益的影响，并就该目的单独取得同意（basis: separate-consent）。",
        en="Before processing, explain why the sensitive data is needed and how it affects the person, "
        "and obtain separate consent for that purpose (basis: separate-consent).",
    )
    citations = ("PIPL-28", "PIPL-29")
    rationale = Text(
        zh="敏感个人信息一旦泄露或滥用，极易导致人格尊严受损或人身、财产安全受到危害。",
        en="Misused or leaked, sensitive data easily harms dignity, personal safety or property.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        scope = necessary_scope(manifest)
        for purpose in manifest.purposes:
            if purpose.basis is not None and purpose.basis.is_separate:
                continue
            for index, data_id in enumerate(purpose.data):
                item = manifest.data_item(data_id)
                if is_sensitive(item):
                    yield from self._item(manifest, scope, purpose, index, item)

    def _item(
        self, manifest: Manifest, scope: NecessaryScope, purpose: Purpose, index: int, item: DataItem
    ) -> Iterator[Hit | Unknown]:
        lawful = _lawful_without_consent(manifest, scope, purpose, item)
        if lawful is True:
            return
        on_contract = purpose.basis is Basis.CONTRACT_NECESSITY
        if lawful is None:
            yield from basis_facts(purpose)
            if on_contract and necessity(manifest, item, scope) is None:
                yield necessary_data_unknown()
            return
        assert purpose.basis is not None
        note = scope.note if on_contract else Text(zh="", en="")
        yield Hit(
            pointer=pointer("purposes", purpose.id, "data", index),
            message=Text(
                zh=f"敏感个人信息“{item.id}”（{item.category}）用于目的“{purpose.id}”，"
                f"合法性基础为“{purpose.basis.value}”，未取得单独同意{note.zh}。",
                en=f"Sensitive '{item.id}' ({item.category}) is used by purpose '{purpose.id}' on "
                f"'{purpose.basis.value}', without separate consent{note.en}.",
            ),
            citations=scope.citations if on_contract else (),
            data=(item.id,),
            purpose=purpose.id,
        )


def _lawful_without_consent(
    manifest: Manifest, scope: NecessaryScope, purpose: Purpose, item: DataItem
) -> bool | None:
    """No consent needed at all: a basis of PIPL 13 (3)-(7), or the contract for a necessary item."""
    if purpose.basis is Basis.CONTRACT_NECESSITY:
        return all_of(contract_may_cover(purpose), necessity(manifest, item, scope))
    needed = consent_needed(purpose)
    return None if needed is None else not needed
