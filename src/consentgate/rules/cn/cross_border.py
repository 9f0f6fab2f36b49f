"""Rule 16: personal information sent outside mainland China without separate consent (PIPL 39).

Two ways a transfer shows up in a manifest, both checked:
- a `cross_border` entry: its basis must be separate (or written) consent, or one of the PIPL 13
  items (2)-(7), which PIPL 13 para 2 exempts from any consent requirement;
- a purpose whose recipient has a `country` other than CN: the purpose must rest on separate
  consent or on a basis that needs no consent (`facts.needs_consent`), or a `cross_border`
  entry for that recipient must carry separate consent.
Hong Kong, Macao and Taiwan (HK, MO, TW) count as outside: data-export rules treat them so.

What counts as stated: a recipient's `country` (`CN` states that it is inside; a `cross_border`
entry for the recipient states it too), a transfer's `basis`, and the purpose's `basis` (with `user_selected` for an add-on claimed as contract). A
purpose that may give data abroad where one of these is left out is unconfirmed, not a breach.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Basis, CrossBorder, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import needs_consent
from consentgate.rules.unstated import unstated
from consentgate.text import Text

_MAINLAND = {"CN", "CHN"}
# PIPL 13 items (2)-(7): no consent, and so no separate consent, is needed (PIPL 13 para 2).
_EXEMPT_BASES = {
    Basis.CONTRACT_NECESSITY,
    Basis.LEGAL_OBLIGATION,
    Basis.EMERGENCY,
    Basis.NEWS_REPORTING,
    Basis.PUBLIC_INFORMATION,
    Basis.OTHER_LAW,
}


def is_abroad(country: str) -> bool:
    return country.strip().upper() not in _MAINLAND


class CrossBorderWithoutSeparateConsent(Rule):
    id = "CG-PIPL-039-CROSS-BORDER-WITHOUT-SEPARATE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="向境外提供个人信息未取得单独同意",
        en="Personal information provided outside China without separate consent",
    )
    remediation = Text(
        zh="向个人告知境外接收方的名称、联系方式、处理目的、方式、信息种类及向其行使权利的方式，"
        "并单独取得同意（不与其他同意捆绑）。",
        en="Tell the person the overseas recipient's name and contact, the purpose, method and data, and "
        "how to exercise rights against it, and obtain separate consent not bundled with any other.",
    )
    citations = ("PIPL-39",)
    rationale = Text(
        zh="缺少法律明确要求的单独同意，出境提供本身即无合法性基础。",
        en="Without the separate consent the law expressly requires, the export itself has no lawful basis.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        # Recipients a transfer entry gives separate consent for, or may: its basis is not stated.
        separately_consented: set[str] = set()
        unstated_transfer: dict[str, Unknown] = {}
        # A transfer entry states where its recipient is, even where the recipient does not.
        transfer_country = {t.recipient: t.country for t in manifest.cross_border}
        for transfer in manifest.cross_border:
            if transfer.basis is not None and transfer.basis.is_separate:
                separately_consented.add(transfer.recipient)
            elif not is_abroad(transfer.country):
                continue
            elif transfer.basis is None:
                unknown = unstated("cross_border", transfer.id, "basis")
                unstated_transfer.setdefault(transfer.recipient, unknown)
                yield unknown
            elif transfer.basis not in _EXEMPT_BASES:
                yield _transfer_hit(transfer)
        for purpose in manifest.purposes:
            exempt = _exempt(purpose)
            if exempt is True:
                continue
            for index, recipient_id in enumerate(purpose.recipients):
                if recipient_id in separately_consented:
                    continue
                country = manifest.recipient(recipient_id).country or transfer_country.get(recipient_id)
                if country is None:
                    yield unstated("recipients", recipient_id, "country")
                    if isinstance(exempt, Unknown):
                        yield exempt
                elif not is_abroad(country):
                    continue
                elif recipient_id in unstated_transfer:
                    yield unstated_transfer[recipient_id]
                elif isinstance(exempt, Unknown):
                    yield exempt
                else:
                    yield _purpose_hit(purpose, index, country)


def _exempt(purpose: Purpose) -> bool | Unknown:
    """The purpose itself rests on separate consent, or on a basis that needs no consent at all."""
    if purpose.basis is not None and purpose.basis.is_separate:
        return True
    need = needs_consent(purpose)
    return need if isinstance(need, Unknown) else not need


def _transfer_hit(transfer: CrossBorder) -> Hit:
    assert transfer.basis is not None
    return Hit(
        pointer=pointer("cross_border", transfer.id, "basis"),
        message=Text(
            zh=f"向位于 {transfer.country} 的“{transfer.recipient}”提供个人信息，"
            f"合法性基础为“{transfer.basis.value}”，不是单独同意。",
            en=f"Transfer to '{transfer.recipient}' in {transfer.country} rests on "
            f"'{transfer.basis.value}', not on separate consent.",
        ),
        data=tuple(transfer.data),
    )


def _purpose_hit(purpose: Purpose, index: int, country: str) -> Hit:
    assert purpose.basis is not None
    recipient_id = purpose.recipients[index]
    return Hit(
        pointer=pointer("purposes", purpose.id, "recipients", index),
        message=Text(
            zh=f"目的“{purpose.id}”向位于 {country} 的接收方“{recipient_id}”提供个人信息，"
            f"但其基础为“{purpose.basis.value}”，未取得单独同意。",
            en=f"Purpose '{purpose.id}' provides personal information to '{recipient_id}' in "
            f"{country} on '{purpose.basis.value}', without separate consent.",
        ),
        data=tuple(purpose.data),
        purpose=purpose.id,
    )
