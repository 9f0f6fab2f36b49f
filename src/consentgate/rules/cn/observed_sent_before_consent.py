"""Observed: personal data or identifiers sent to a third party before the person consented (AVIM 3.1).

`consentgate observe` sees every request leave the browser; a request to another company's host that
carries a phone number, a device identifier or a cookie id before the consent moment is a provision
to that recipient before consent (`conduct.provisions[].before_consent`). The collection rule
(`conduct_collected_before_consent.py`) judges the app's own collection; this one judges what an
embedded tracker or partner received, which PIPL 23 wants separate consent for.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, RecipientKind
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, unstated
from consentgate.text import Text


class SentBeforeConsent(Rule):
    id = "CG-AVIM-031-SENT-BEFORE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="征得同意前即向第三方发送个人信息或标识符",
        en="Personal data or identifiers sent to a third party before consent",
    )
    remediation = Text(
        zh="在个人同意之前不加载第三方SDK、统计或广告代码，不向第三方发送手机号、设备标识符或Cookie；"
        "同意后再初始化，并在隐私政策中逐一列明接收方。",
        en="Load no third-party SDK, analytics or advertising code and send no phone number, device "
        "identifier or cookie to a third party before the person consents; initialise it afterwards and "
        "name each recipient in the notice.",
    )
    citations = ("AVIM-3.1", "PIPL-23", "PIPL-13")
    rationale = Text(
        zh="同意前向他人提供个人信息，既无同意也无单独同意，是检测中最常见的违规；原案中手机号即在同意前被发送。",
        en="Provision before consent has neither consent nor separate consent; it is what app testing finds "
        "most often.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return
        note = status_note(self.citations)
        for index, provision in enumerate(manifest.conduct.provisions):
            recipient = manifest.recipients_by_id.get(provision.recipient)
            if recipient is None or recipient.kind is RecipientKind.ENTRUSTED:
                continue
            if provision.before_consent is None:
                yield unstated("provisions", provision, index, "before_consent")
            elif provision.before_consent:
                what = "、".join(provision.data) or "标识符"
                yield Hit(
                    pointer=record_at("provisions", provision, index, "before_consent"),
                    message=Text(
                        zh=f"提供记录{named(provision, index).zh}：{what}在个人同意之前就被发送给"
                        f"“{recipient.name}”。{note.zh}",
                        en=f"Provision {named(provision, index).en}: {', '.join(provision.data) or 'identifiers'} "
                        f"sent to '{recipient.name}' before the person consented.{note.en}",
                    ),
                    data=tuple(provision.data),
                )
