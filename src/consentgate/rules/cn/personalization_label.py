"""Extra: personalized content not marked as such (ARP 16).

Same scope as the tag-controls rule: purposes of kind personalization, or any purpose that
declares personalization options. Only `labelled: false` is a finding; a purpose in scope that does
not state `labelled` (or states no options at all) leaves the check unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class NotLabelled(Rule):
    id = "CG-ARP-016-NOT-LABELLED"
    severity = Severity.LOW
    title = Text(
        zh="未以显著方式告知用户其提供算法推荐服务",
        en="Algorithmic recommendation not conspicuously disclosed to users",
    )
    remediation = Text(
        zh="在推荐内容或推送处标明“个性化推荐”，并公示算法推荐的基本原理、目的意图和主要运行机制。",
        en="Mark recommended content and pushes as personalized, and publish the basic principles, purpose "
        "and main mechanisms of the recommendation.",
    )
    citations = ("ARP-16",)
    rationale = Text(
        zh="属于告知的形式与呈现问题，不影响处理的合法性基础。",
        en="A matter of form and presentation; it does not affect the basis of the processing.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            options = purpose.personalization
            if purpose.kind is not PurposeKind.PERSONALIZATION and options is None:
                continue
            stated = options.labelled if options is not None else None
            if stated is None:
                yield unstated("purposes", purpose.id, "personalization", "labelled")
            if stated is not False:
                continue
            yield Hit(
                pointer=pointer("purposes", purpose.id, "personalization", "labelled"),
                message=Text(
                    zh=f"目的“{purpose.id}”的个性化内容未标明为算法推荐。",
                    en=f"Personalized content of purpose '{purpose.id}' is not marked as recommended by algorithm.",
                ),
                data=tuple(purpose.data),
                purpose=purpose.id,
            )
