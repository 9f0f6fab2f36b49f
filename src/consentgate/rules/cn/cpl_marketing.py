"""Marketing without consent before the PIPL (CPL 29 para 3).

From 2014-03-15 (the 2013 amendment) a business operator may not send commercial messages to a
consumer who has not consented to or asked for them. The breach is the PIPL rule's, so its logic is
reused; SMS, calls and e-mail also cite Civil Code 1033(1) once that is in force (2021-01-01).
From 2021-11-01 the PIPL rule judges it.

A subclass lists its own citations; mypy infers the parent's as a tuple of exactly its length, so the
override carries `type: ignore[assignment]` ("see the module docstring").
"""

from __future__ import annotations

from consentgate.rules.base import Severity
from consentgate.rules.cn.marketing_consent import MarketingWithoutConsent
from consentgate.text import Text


class CplMarketingWithoutConsent(MarketingWithoutConsent):
    id = "CG-CPL-029-MARKETING-WITHOUT-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="未经消费者同意或请求发送商业性信息（《消费者权益保护法》）",
        en="Commercial messages sent without the consumer's consent or request (CPL)",
    )
    remediation = Text(
        zh="仅向同意或请求接收商业性信息的消费者发送，消费者明确拒绝后立即停止；将 basis 改为 consent 并保存同意记录。",
        en="Send commercial messages only to consumers who consented to or asked for them, and stop as soon "
        "as one refuses; set basis: consent and keep the consent records.",
    )
    citations = ("CPL-29",)  # type: ignore[assignment]  # see the module docstring
    superseded_by = "PIPL-13"
    rationale = Text(
        zh="《消费者权益保护法》第二十九条第三款明文禁止未经同意或请求发送商业性信息。",
        en="CPL 29 para 3 expressly forbids commercial messages sent without the consumer's consent or request.",
    )
