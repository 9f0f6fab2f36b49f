"""Rule 8b: marketing with no way to unsubscribe.

Consent can be withdrawn at any time and withdrawing must be as easy as giving it (PIPL 15); a
marketing message with no 退订 turns a withdrawable consent into a permanent one. Only
`unsubscribe: false` is a finding; a marketing purpose that does not state it (or states no
`marketing` options at all) leaves the check unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import disturbs_private_life, is_marketing
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class MarketingNoUnsubscribe(Rule):
    id = "CG-PIPL-015-MARKETING-NO-UNSUBSCRIBE"
    severity = Severity.MEDIUM
    title = Text(
        zh="营销信息未提供退订方式",
        en="Marketing with no way to unsubscribe",
    )
    remediation = Text(
        zh="在每条营销信息中提供退订方式（如“回复 TD 退订”或一键退订链接），退订后立即停止发送。",
        en="Give every marketing message a way out (reply-to-stop or a one-click link) and stop "
        "sending as soon as someone uses it.",
    )
    citations = ("PIPL-15", "PIPL-13")
    rationale = Text(
        zh="无法撤回使同意失去意义，但单凭这一点尚不等于自始无同意，故为中等。",
        en="No way to withdraw empties the consent, but on its own it does not mean there was never "
        "consent, hence medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            if not is_marketing(purpose):
                continue
            unsubscribe = purpose.marketing.unsubscribe if purpose.marketing is not None else None
            if unsubscribe is None:
                yield unstated("purposes", purpose.id, "marketing", "unsubscribe")
            if unsubscribe is not False:
                continue
            yield Hit(
                pointer=pointer("purposes", purpose.id, "marketing", "unsubscribe"),
                message=Text(
                    zh=f"营销目的“{purpose.id}”没有退订方式，收到信息的人无法拒绝后续营销。",
                    en=f"Marketing purpose '{purpose.id}' offers no way to unsubscribe, so recipients "
                    "cannot stop further messages.",
                ),
                citations=("CIVIL-1033.1",) if disturbs_private_life(purpose) else (),
                data=tuple(purpose.data),
                purpose=purpose.id,
            )
