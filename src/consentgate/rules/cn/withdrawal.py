"""Rule 13: consent that cannot be withdrawn, or only with more effort than it took to give.

Which processing counts as consent-based: every purpose that no other PIPL 13 basis carries
(`facts.needs_no_consent` is false). That includes purposes claiming consent, purposes with no
basis at all and personalization dressed up as contract necessity: consent is the only ground
they could ever stand on, so the person must be able to take it back. In the seed case no way
existed; the plaintiff had to sue to make the processing stop.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, WithdrawalChannel
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.facts import needs_no_consent
from consentgate.text import Text


class NoEasyWithdrawal(Rule):
    id = "CG-PIPL-015-NO-EASY-WITHDRAWAL"
    severity = Severity.HIGH
    title = Text(
        zh="未提供便捷的撤回同意方式",
        en="No convenient way to withdraw consent",
    )
    remediation = Text(
        zh="在设置的第一层或同意所在的流程中提供撤回开关，撤回步骤不多于给出同意的步骤；"
        "撤回后停止相应处理，并不影响基本功能。",
        en="Offer a withdrawal switch in the first level of settings or in the flow where consent was "
        "given, with no more steps than giving consent took; stop the processing on withdrawal "
        "without affecting the basic function.",
    )
    citations = ("PIPL-15", "AVIM-3.8")
    rationale = Text(
        zh="没有撤回途径时同意不再是自愿的，处理失去持续的合法性基础（高）；有途径但比同意更难，"
        "属于未尽“便捷”义务，本身不使处理违法（中）。",
        en="With no way out, consent stops being freely given and the processing loses its basis (high); "
        "a way that is harder than consenting breaches the 'convenient' duty without by itself making "
        "the processing unlawful (medium).",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        relying = [p.id for p in manifest.purposes if not needs_no_consent(p)]
        if not relying:
            return
        names = "、".join(relying)
        withdrawal = manifest.consent.withdrawal
        if withdrawal.channel is WithdrawalChannel.NONE:
            yield Hit(
                pointer=pointer("consent", "withdrawal", "channel"),
                message=Text(
                    zh=f"没有任何撤回同意的途径，而目的“{names}”只能基于个人同意。",
                    en="There is no way to withdraw consent, though these purposes can rest only on it: "
                    f"'{', '.join(relying)}'.",
                ),
            )
            return
        steps, consent_steps = withdrawal.steps, withdrawal.consent_steps
        if steps is not None and consent_steps is not None and steps > consent_steps:
            yield Hit(
                pointer=pointer("consent", "withdrawal", "steps"),
                message=Text(
                    zh=f"撤回同意需要 {steps} 步，而给出同意只需 {consent_steps} 步，撤回比同意更难。",
                    en=f"Withdrawing consent takes {steps} steps but giving it takes {consent_steps}: "
                    "withdrawal is harder than consent.",
                ),
                severity=Severity.MEDIUM,
            )
