"""Observed: collection, or a permission ask, continuing after the person refused (AVIM 3.2).

On the refusal path the walker taps 不同意 / 拒绝 / 跳过 / 仅浏览; whatever the app's own servers
still receive, or the permissions it still asks for, after that tap is processing against an
expressed refusal. Provisions to third parties after refusal are judged by
`CG-PIPL-023-PROVISION-DESPITE-REFUSAL` (inference writes `despite: refusal`), not again here.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, taken_by, unstated
from consentgate.text import Text


class ProcessingAfterRefusal(Rule):
    id = "CG-AVIM-032-PROCESSING-AFTER-REFUSAL"
    severity = Severity.HIGH
    title = Text(
        zh="用户明确拒绝后仍收集个人信息或申请权限",
        en="Personal information collected, or a permission asked, after the person refused",
    )
    remediation = Text(
        zh="个人拒绝、跳过或选择仅浏览后，停止收集该同意所涵盖的信息，不再申请相应权限；仅提供无需该信息的功能。",
        en="After a refusal, skip or browse-only choice, stop collecting what the consent covered and stop "
        "asking for its permissions; offer what works without it.",
    )
    citations = ("AVIM-3.2", "PIPL-13", "PIPL-16")
    rationale = Text(
        zh="违背明示拒绝的处理没有任何同意基础，且以拒绝为由不提供服务为个人信息保护法第十六条所禁止。",
        en="Processing against an expressed refusal has no consent at all; PIPL 16 forbids refusing service "
        "because consent was refused.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return
        note = status_note(self.citations)
        for index, collection in enumerate(manifest.conduct.collections):
            if taken_by(manifest, collection) is not None:
                continue  # an SDK's or another app's own collection: CG-AVIM-053-SDK-WITHOUT-CONSENT
            if collection.after_refusal is None:
                yield unstated("collections", collection, index, "after_refusal")
            elif collection.after_refusal:
                what = "、".join(collection.data) or "个人信息"
                yield Hit(
                    pointer=record_at("collections", collection, index, "after_refusal"),
                    message=Text(
                        zh=f"收集记录{named(collection, index).zh}：个人拒绝后仍收集了{what}。{note.zh}",
                        en=f"Collection {named(collection, index).en}: "
                        f"{', '.join(collection.data) or 'personal information'} was collected after the "
                        f"person refused.{note.en}",
                    ),
                    data=tuple(collection.data),
                )
        for index, ask in enumerate(manifest.conduct.permissions):
            if ask.after_refusal:
                yield Hit(
                    pointer=record_at("permissions", ask, index, "after_refusal"),
                    message=Text(
                        zh=f"权限申请{named(ask, index).zh}：个人拒绝后仍申请了“{ask.permission}”权限。{note.zh}",
                        en=f"Permission ask {named(ask, index).en}: '{ask.permission}' was requested after the "
                        f"person refused.{note.en}",
                    ),
                )
