"""Rule 13: consent that cannot be withdrawn, or only with more effort than it took to give.

Which processing counts as consent-based: every purpose that no other PIPL 13 basis carries
(`facts.needs_no_consent` is false). That includes purposes claiming consent, purposes with no
basis at all and personalization dressed up as contract necessity: consent is the only ground
they could ever stand on, so the person must be able to take it back. In the seed case no way
existed; the plaintiff had to sue to make the processing stop.

Stated means: `consent.withdrawal.channel` (`none` states there is no way), and where there is one,
`steps` and `consent_steps` to compare; and the basis of the purposes (`rules/reliance.py`), unless one
of them is stated to rest on consent. What is left out is unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from consentgate.manifest.models import Manifest, WithdrawalChannel
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.reliance import Reliance, reliance
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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        found = reliance(manifest.purposes)
        if not found.consent and not found.unknown:
            return  # nothing rests on consent, so nothing needs withdrawing
        withdrawal = manifest.consent.withdrawal
        if withdrawal.channel is None:
            yield Unknown(pointer("consent", "withdrawal", "channel"), "consent.withdrawal.channel")
            yield from _owed(found, [])
        elif withdrawal.channel is WithdrawalChannel.NONE:
            yield from _owed(found, [_no_channel(found)])
        else:
            steps, consent_steps = withdrawal.steps, withdrawal.consent_steps
            if steps is None or consent_steps is None:
                for name, value in (("steps", steps), ("consent_steps", consent_steps)):
                    if value is None:
                        yield Unknown(pointer("consent", "withdrawal", name), f"consent.withdrawal.{name}")
                yield from _owed(found, [])
            elif steps > consent_steps:
                yield from _owed(found, [_harder(found, steps, consent_steps)])


def _owed(found: Reliance, hits: Iterable[Hit]) -> Iterator[Hit | Unknown]:
    """The hits where a purpose is stated to rest on consent; else the bases that would tell."""
    if found.consent:
        yield from hits
    else:
        yield from found.unknowns()


def _no_channel(found: Reliance) -> Hit:
    return Hit(
        pointer=pointer("consent", "withdrawal", "channel"),
        message=Text(
            zh=f"没有任何撤回同意的途径，而目的“{'、'.join(found.ids)}”只能基于个人同意。",
            en="There is no way to withdraw consent, though these purposes can rest only on it: "
            f"'{', '.join(found.ids)}'.",
        ),
        data=found.data,
        purpose=found.purpose,
    )


def _harder(found: Reliance, steps: int, consent_steps: int) -> Hit:
    return Hit(
        pointer=pointer("consent", "withdrawal", "steps"),
        message=Text(
            zh=f"撤回同意需要 {steps} 步，而给出同意只需 {consent_steps} 步，撤回比同意更难。",
            en=f"Withdrawing consent takes {steps} steps but giving it takes {consent_steps}: "
            "withdrawal is harder than consent.",
        ),
        severity=Severity.MEDIUM,
        data=found.data,
        purpose=found.purpose,
    )
