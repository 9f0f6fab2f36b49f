"""Rule 15: a material change to the processing without fresh consent or without telling people.

Re-consent (PIPL 14 para 2) is owed only for consent-based processing, so the high hit needs the
changed notice to describe at least one purpose that rests on consent (`facts.needs_no_consent`
false; a notice with no `purposes` describes all). Telling people about the change (PIPL 17
para 2, AVIM 2.2) is owed for every material change, whatever the basis.

Stated means: each notice's `change` (`none`, `editorial` or `material`); for a material change,
`reconsent_obtained` and `users_notified_of_change` as true or false, and the basis of the purposes it
describes (`rules/reliance.py`) where re-consent was not obtained. What is left out is unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Notice, NoticeChange
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.reliance import Reliance, reliance
from consentgate.text import Text


def _described(manifest: Manifest, notice: Notice) -> Reliance:
    """Which purposes the notice describes rest on consent, and which may."""
    described = set(notice.purposes) if notice.purposes else {p.id for p in manifest.purposes}
    return reliance(p for p in manifest.purposes if p.id in described)


def _unknown(notice: Notice, fact: str) -> Unknown:
    return Unknown(pointer("notices", notice.id, fact), f"notices[{notice.id}].{fact}")


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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for notice in manifest.notices:
            if notice.change is None:
                yield _unknown(notice, "change")
            elif notice.change is NoticeChange.MATERIAL:
                yield from _reconsent(manifest, notice)
                if notice.users_notified_of_change is None:
                    yield _unknown(notice, "users_notified_of_change")
                elif notice.users_notified_of_change is False:
                    yield Hit(
                        pointer=pointer("notices", notice.id, "users_notified_of_change"),
                        message=Text(
                            zh=f"告知文本“{notice.id}”（版本 {notice.version}）发生重大变更，但未提示用户变更内容。",
                            en=f"Notice '{notice.id}' (version {notice.version}) changed materially, "
                            "but users were not told what changed.",
                        ),
                        severity=Severity.MEDIUM,
                    )


def _reconsent(manifest: Manifest, notice: Notice) -> Iterator[Hit | Unknown]:
    """A materially changed notice over consent-based purposes, and no fresh consent."""
    if notice.reconsent_obtained is True:
        return
    relying = _described(manifest, notice)
    if not relying.consent and not relying.unknown:
        return  # nothing rests on consent: no re-consent is owed
    if notice.reconsent_obtained is None:
        yield _unknown(notice, "reconsent_obtained")
    if not relying.consent:
        yield from relying.unknowns()
    elif notice.reconsent_obtained is False:
        names = relying.ids
        yield Hit(
            pointer=pointer("notices", notice.id, "reconsent_obtained"),
            message=Text(
                zh=f"告知文本“{notice.id}”（版本 {notice.version}）发生重大变更，"
                f"但未就基于同意的目的“{'、'.join(names)}”重新取得同意。",
                en=f"Notice '{notice.id}' (version {notice.version}) changed materially, but consent "
                f"was not obtained again for the consent-based purposes '{', '.join(names)}'.",
            ),
            data=relying.data,
            purpose=relying.purpose,
        )
