"""Observed: an embedded SDK or another app took personal information before consent or after a refusal
(AVIM 5.1, 5.3; PIPL 23).

An SDK that reads the device identifiers inside the app has them: the app "通过客户端嵌入的第三方代码、
插件等方式" provides them to the SDK's company (AVIM 5.1), or to an integrated third-party app (5.3),
and PIPL 23 wants the person's separate consent for that. A runtime trace names who read what; this
rule judges `conduct.collections` whose `by` names such a recipient.

The work is divided so that no record is reported twice: collections by the app itself belong to
`CG-AVIM-031-COLLECTED-BEFORE-CONSENT` and `CG-AVIM-032-PROCESSING-AFTER-REFUSAL`; data sent to a
recipient over the network is a provision, judged by `CG-AVIM-031-SENT-BEFORE-CONSENT` (before consent)
and `CG-PIPL-023-PROVISION-DESPITE-REFUSAL` (after a refusal). An entrusted processor (PIPL 21)
collecting for the app is the app's own collection.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import Collection
from consentgate.manifest.models import Manifest, Recipient, RecipientKind
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, taken_by, unstated
from consentgate.text import Text


class SdkWithoutConsent(Rule):
    id = "CG-AVIM-053-SDK-WITHOUT-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="嵌入的第三方SDK或接入的第三方应用未经同意获取个人信息",
        en="An embedded SDK or integrated app took personal information without consent",
    )
    remediation = Text(
        zh="在个人同意（向第三方提供的须单独同意）之前不初始化第三方SDK；拒绝或撤回后停止其收集；"
        "在隐私政策中逐一列明SDK名称、公司、收集的信息和目的。",
        en="Initialise no third-party SDK before the person consents (separately, for provision to a third "
        "party); stop its collection after a refusal or withdrawal; list each SDK, its company, the data and "
        "the purpose in the notice.",
    )
    citations = ("AVIM-5.1", "AVIM-5.3", "PIPL-23")
    rationale = Text(
        zh="SDK在同意前或拒绝后取得个人信息，既无同意也无单独同意，是App检测通报中最常见的问题之一。",
        en="An SDK taking data before consent or after a refusal has neither consent nor separate consent; "
        "regulators' app-testing notices name it again and again.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return
        for index, collection in enumerate(manifest.conduct.collections):
            recipient = taken_by(manifest, collection)
            if recipient is None:
                continue
            clause = "AVIM-5.1" if recipient.kind is RecipientKind.SDK else "AVIM-5.3"
            if collection.before_consent is None and collection.after_refusal is None:
                yield unstated("collections", collection, index, "before_consent")
            elif collection.before_consent or collection.after_refusal:
                yield self._hit(manifest, collection, index, recipient, clause)

    def _hit(
        self, manifest: Manifest, collection: Collection, index: int, recipient: Recipient, clause: str
    ) -> Hit:
        note = status_note((clause, "PIPL-23"))
        refused = bool(collection.after_refusal)
        field = "after_refusal" if refused else "before_consent"
        when = (
            Text(zh="在个人拒绝或撤回之后", en="after the person refused or withdrew")
            if refused
            else Text(zh="在个人同意之前", en="before the person consented")
        )
        what = "、".join(collection.data) or "个人信息"
        return Hit(
            pointer=record_at("collections", collection, index, field),
            message=Text(
                zh=f"收集记录{named(collection, index).zh}：{when.zh}，“{recipient.name}”（{_kind(recipient).zh}）"
                f"就取得了{what}。{note.zh}",
                en=f"Collection {named(collection, index).en}: '{recipient.name}' ({_kind(recipient).en}) took "
                f"{', '.join(collection.data) or 'personal information'} {when.en}.{note.en}",
            ),
            only=(clause, "PIPL-23"),
            data=tuple(collection.data),
        )


def _kind(recipient: Recipient) -> Text:
    if recipient.kind is RecipientKind.SDK:
        return Text(zh="嵌入的第三方SDK", en="an embedded third-party SDK")
    return Text(zh="接入的第三方应用", en="an integrated third-party app")
