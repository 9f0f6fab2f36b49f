"""Rule 12b: children under 14 processed without their guardian's consent or dedicated rules.

PIPL 28 makes all personal information of a child under 14 sensitive, and PIPL 31 requires the
consent of a parent or other guardian before processing it, and rules written for children's
information. Missing rules are the milder breach (a documentation duty), so that hit is medium.

Whether the app knowingly processes children's information is a fact the manifest must state
(`minors.under_14`); only `data: []`, processing no personal information at all, makes it moot.
Where it is stated true, guardian consent and dedicated rules must be stated too.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text


class MinorWithoutGuardianConsent(Rule):
    id = "CG-PIPL-031-MINOR-WITHOUT-GUARDIAN-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="处理不满十四周岁未成年人个人信息未取得监护人同意或未制定专门规则",
        en="Personal information of children under 14 without guardian consent or dedicated rules",
    )
    remediation = Text(
        zh="识别不满十四周岁的用户，在处理其个人信息前取得其父母或者其他监护人的同意并留存记录；"
        "制定并公开专门的儿童个人信息处理规则。",
        en="Identify users under 14 and obtain a parent's or other guardian's consent before processing "
        "their personal information, keeping the record; write and publish dedicated rules for "
        "children's information.",
    )
    citations = ("PIPL-31", "PIPL-28")
    rationale = Text(
        zh="儿童个人信息一律属于敏感个人信息，儿童本人的同意不具法律效力；仅缺专门规则时为中等。",
        en="All personal information of children is sensitive and a child's own consent has no legal "
        "effect; missing dedicated rules alone is medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        minors = manifest.minors
        if minors.under_14 is None:
            if manifest.data or not manifest.states("data"):
                yield Unknown(pointer("minors", "under_14"), "minors.under_14")
            return
        if not minors.under_14:
            return
        if minors.guardian_consent is None:
            yield Unknown(pointer("minors", "guardian_consent"), "minors.guardian_consent")
        elif not minors.guardian_consent:
            yield Hit(
                pointer=pointer("minors", "guardian_consent"),
                message=Text(
                    zh="App 处理不满十四周岁未成年人的个人信息，但未取得监护人同意。",
                    en="The app processes personal information of children under 14 without guardian consent.",
                ),
            )
        if minors.dedicated_rules is None:
            yield Unknown(pointer("minors", "dedicated_rules"), "minors.dedicated_rules")
        elif not minors.dedicated_rules:
            yield Hit(
                pointer=pointer("minors", "dedicated_rules"),
                message=Text(
                    zh="App 处理不满十四周岁未成年人的个人信息，但没有专门的个人信息处理规则。",
                    en="The app processes personal information of children under 14 without dedicated "
                    "processing rules.",
                ),
                severity=Severity.MEDIUM,
            )
