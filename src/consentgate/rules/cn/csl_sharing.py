"""Personal information given to others without consent, before the PIPL (CSL 42 para 1).

Until 2021-10-31 the Cybersecurity Law asked for the person's consent, not for the PIPL's separate
consent, and knew no exception for contract necessity: only anonymized data, which cannot identify
anyone, could be provided without it. A legal duty to provide data (a competent authority's request)
is still no breach. The Civil Code repeats the rule from 2021-01-01 (Art. 1038), the General
Provisions of the Civil Law forbade unlawful provision before (Art. 111). Which recipients count is
the PIPL rule's: everyone but processors entrusted to act for the operator.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, Manifest, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn.sharing_consent import _names, _other_processors
from consentgate.text import Text

# Bases that mean the law itself requires the data to be provided, so no consent is asked for.
_REQUIRED_BY_LAW = {Basis.LEGAL_OBLIGATION, Basis.OTHER_LAW}


class CslSharingWithoutConsent(Rule):
    id = "CG-CSL-042-SHARING-WITHOUT-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="未经被收集者同意向他人提供个人信息（《网络安全法》）",
        en="Personal information given to others without the person's consent (CSL)",
    )
    remediation = Text(
        zh="向他人提供个人信息前，告知接收方、目的和信息范围并取得本人同意（关联公司同样适用）；"
        "仅代为处理的受托方应标为 kind: entrusted。",
        en="Before giving personal information to anyone, tell the person who receives it, why and what, "
        "and obtain their consent (affiliates included); processors acting for you are kind: entrusted.",
    )
    citations = ("CSL-42", "CIVIL-1038", "GPCL-111")
    superseded_by = "PIPL-23"
    rationale = Text(
        zh="《网络安全法》第四十二条明文禁止未经同意向他人提供个人信息，信息扩散后无法收回。",
        en="CSL 42 expressly forbids providing personal information to others without consent, and data "
        "once given cannot be taken back.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            recipients = _other_processors(manifest, purpose)
            if not recipients and not (purpose.kind is PurposeKind.SHARING and not purpose.recipients):
                continue
            basis = purpose.basis
            if basis is None:
                yield Unknown(pointer("purposes", purpose.id, "basis"), f"purposes[{purpose.id}].basis")
                continue
            if basis.is_consent or basis in _REQUIRED_BY_LAW:
                continue
            to_whom = _names(recipients)
            yield Hit(
                pointer=pointer("purposes", purpose.id, "basis"),
                message=Text(
                    zh=f"目的“{purpose.id}”向{to_whom.zh}提供个人信息，合法性基础是“{basis.value}”，"
                    "未经本人同意。",
                    en=f"Purpose '{purpose.id}' gives personal information to {to_whom.en} on "
                    f"'{basis.value}', without the person's consent.",
                ),
                data=tuple(purpose.data),
                purpose=purpose.id,
            )
