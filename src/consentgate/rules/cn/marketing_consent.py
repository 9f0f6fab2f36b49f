"""Rule 8: marketing sent without the person's consent.

Marketing is never necessary for the service and no other PIPL 13 basis fits it, so it rests on
consent or on nothing. The seed app "下发多条营销短信" to a number it never had consent for; by SMS,
phone, IM or e-mail it also disturbs private life under Civil Code 1033(1). A marketing purpose
whose `basis` is not stated leaves the check unconfirmed; `basis: none` states that there is none.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import disturbs_private_life, is_marketing
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class MarketingWithoutConsent(Rule):
    id = "CG-PIPL-013-MARKETING-WITHOUT-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="未经同意发送商业营销信息",
        en="Marketing without the person's consent",
    )
    remediation = Text(
        zh="仅向明示同意接收营销信息的用户发送，同意应单独勾选、可随时撤回；将 basis 改为 consent 并保存同意记录。",
        en="Send marketing only to people who expressly agreed to receive it, with a separate box they "
        "can untick at any time; set basis: consent and keep the consent records.",
    )
    citations = ("PIPL-13", "PIPL-14")
    rationale = Text(
        zh="营销没有同意以外的合法性基础，未经同意即属违法处理，并直接侵扰私人生活安宁。",
        en="Marketing has no basis other than consent: without it the processing is unlawful and "
        "intrudes on private life directly.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            if not is_marketing(purpose):
                continue
            if purpose.basis is None:
                yield unstated("purposes", purpose.id, "basis")
                continue
            if purpose.basis.is_consent:
                continue
            yield Hit(
                pointer=pointer("purposes", purpose.id, "basis"),
                message=Text(
                    zh=f"营销目的“{purpose.id}”的合法性基础是“{purpose.basis.value}”而非个人同意。",
                    en=f"Marketing purpose '{purpose.id}' rests on '{purpose.basis.value}', not on consent.",
                ),
                citations=("CIVIL-1033.1",) if disturbs_private_life(purpose) else (),
                data=tuple(purpose.data),
                purpose=purpose.id,
            )
