"""Rule 12: sensitive personal information processed without separate consent.

PIPL 29 requires separate (or, where a law says so, written) consent for sensitive data. Only a
basis that needs no consent at all lifts that: the law, an emergency, or contract necessity for
an item the app type's necessary-PI scope actually lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, DataItem, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.facts import is_necessary, is_sensitive, needs_no_consent
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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        for purpose in manifest.purposes:
            if purpose.basis.is_separate:
                continue
            for index, data_id in enumerate(purpose.data):
                item = manifest.data_item(data_id)
                if not is_sensitive(item) or _lawful_without_consent(manifest, purpose, item):
                    continue
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "data", index),
                    message=Text(
                        zh=f"敏感个人信息“{item.id}”（{item.category}）用于目的“{purpose.id}”，"
                        f"合法性基础为“{purpose.basis.value}”，未取得单独同意。",
                        en=f"Sensitive '{item.id}' ({item.category}) is used by purpose '{purpose.id}' on "
                        f"'{purpose.basis.value}', without separate consent.",
                    ),
                )


def _lawful_without_consent(manifest: Manifest, purpose: Purpose, item: DataItem) -> bool:
    if purpose.basis is Basis.CONTRACT_NECESSITY:
        return needs_no_consent(purpose) and is_necessary(manifest, item)
    return needs_no_consent(purpose)
