"""Rule 15: a material change to the processing without fresh consent or without telling people.

Re-consent (PIPL 14 para 2) is owed only for consent-based processing, so the high hit needs the
changed notice to describe at least one purpose that rests on consent (`facts.needs_no_consent`
false; a notice with no `purposes` describes all). Telling people about the change (PIPL 17
para 2, AVIM 2.2) is owed for every material change, whatever the basis.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Notice, NoticeChange
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.facts import needs_no_consent
from consentgate.text import Text


def _consent_purposes(manifest: Manifest, notice: Notice) -> list[str]:
    described = set(notice.purposes) if notice.purposes else {p.id for p in manifest.purposes}
    return [p.id for p in manifest.purposes if p.id in described and not needs_no_consent(p)]


class ChangeWithoutReconsent(Rule):
    id = "CG-PIPL-014-CHANGE-WITHOUT-RECONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="处理目的、方式或信息种类发生重大变更，未重新取得同意或未告知用户",
        en="Material change to purposes, methods or data without renewed consent or without notice",
    )
    remediation = Text(
        zh="重大变更后，以弹窗等方式提示用户阅读更新后的规则，并对基于同意的目的重新取得同意；"
        "在重新同意前，按原同意范围处理。",
        en="After a material change, prompt users (e.g. a pop-up) to read the updated rules and obtain "
        "consent again for consent-based purposes; until then, process only within the old consent.",
    )
    citations = ("PIPL-14", "PIPL-17", "AVIM-2.2")
    rationale = Text(
        zh="旧同意不覆盖变更后的处理，继续处理即缺乏有效同意（高）；仅未告知变更属于告知义务的违反（中）。",
        en="Old consent does not cover the changed processing, so continuing lacks valid consent (high); "
        "failing only to announce the change breaches the duty to inform (medium).",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        for notice in manifest.notices:
            if notice.change is not NoticeChange.MATERIAL:
                continue
            relying = _consent_purposes(manifest, notice)
            if relying and not notice.reconsent_obtained:
                yield Hit(
                    pointer=pointer("notices", notice.id, "reconsent_obtained"),
                    message=Text(
                        zh=f"告知文本“{notice.id}”（版本 {notice.version}）发生重大变更，"
                        f"但未就基于同意的目的“{'、'.join(relying)}”重新取得同意。",
                        en=f"Notice '{notice.id}' (version {notice.version}) changed materially, but consent "
                        f"was not obtained again for the consent-based purposes '{', '.join(relying)}'.",
                    ),
                )
            if not notice.users_notified_of_change:
                yield Hit(
                    pointer=pointer("notices", notice.id, "users_notified_of_change"),
                    message=Text(
                        zh=f"告知文本“{notice.id}”（版本 {notice.version}）发生重大变更，但未提示用户变更内容。",
                        en=f"Notice '{notice.id}' (version {notice.version}) changed materially, "
                        "but users were not told what changed.",
                    ),
                    severity=Severity.MEDIUM,
                )
