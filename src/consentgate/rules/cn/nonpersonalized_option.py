"""Rule 7: personalized push or feeds with no way to get the non-personalized version.

PIPL 24 para 2: push and marketing by automated decision must come with an option not based on
personal characteristics, or a convenient way to refuse. The seed court ordered the defendant not
to rely on "仅提供个性化决策推送信息这一种业务模式".

What counts as stated: a non-personalized option (`non_personalized_option`, or its absence stated
by `only_mode: true`) and how it is turned off (`opt_out`). Either one that is true or convenient
settles it; a purpose with no `personalization` options, or options that leave out what is needed,
is unconfirmed, not a breach. A purpose that pushes (has a `channel`) or markets is in scope only
when `automated_decision: true`; where that is not stated, the check is unconfirmed too.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, OptOut, PersonalizationOptions, Purpose, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.unstated import unstated
from consentgate.text import Text

_CONVENIENT = {OptOut.ONE_TAP, OptOut.SETTINGS}


class NoNonPersonalizedOption(Rule):
    id = "CG-PIPL-024-NO-NONPERSONALIZED-OPTION"
    severity = Severity.HIGH
    title = Text(
        zh="个性化推送未提供非个性化选项或便捷的拒绝方式",
        en="Personalized push with no non-personalized option or convenient way to refuse",
    )
    remediation = Text(
        zh="提供不针对个人特征的推送/内容模式，或在推送界面、设置一级菜单中提供一键关闭个性化推荐的开关；"
        "关闭后立即停止个性化推送。",
        en="Offer a mode not based on personal characteristics, or a one-tap switch on the feed or in "
        "the first level of settings that turns personalization off at once.",
    )
    citations = ("PIPL-24", "ARP-17", "AVIM-3.6", "GBT35273-7.5")
    rationale = Text(
        zh="个人无法拒绝基于其特征的自动化决策，法院据此判令被告改正。",
        en="People cannot refuse automated decisions built on their traits; the court ordered this fixed.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            personalizes = _personalizes(purpose)
            if personalizes is None:
                yield unstated("purposes", purpose.id, "automated_decision")
            if personalizes is not True:
                continue
            options = purpose.personalization or PersonalizationOptions()
            if options.only_mode is True:
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "personalization", "only_mode"),
                    message=Text(
                        zh=f"目的“{purpose.id}”的个性化推送是唯一的推送模式，用户无从选择非个性化内容。",
                        en=f"Personalized push is the only mode of purpose '{purpose.id}': there is no "
                        "non-personalized alternative to choose.",
                    ),
                    data=tuple(purpose.data),
                    purpose=purpose.id,
                )
            option = options.non_personalized_option
            if options.only_mode is True:  # personalized as the only mode states that there is no other
                option = False
            if option is True or options.opt_out in _CONVENIENT:
                continue
            if option is None:
                yield unstated("purposes", purpose.id, "personalization", "non_personalized_option")
            if options.opt_out is None:
                yield unstated("purposes", purpose.id, "personalization", "opt_out")
            if option is False and options.opt_out is not None:
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "personalization", "non_personalized_option"),
                    message=Text(
                        zh=f"目的“{purpose.id}”既没有非个性化选项，关闭方式也不便捷（{options.opt_out.value}）。",
                        en=f"Purpose '{purpose.id}' has no non-personalized option and no convenient way "
                        f"to turn it off (opt_out: {options.opt_out.value}).",
                    ),
                    data=tuple(purpose.data),
                    purpose=purpose.id,
                )


def _personalizes(purpose: Purpose) -> bool | None:
    """Personalization, or push/marketing decided automatically (PIPL 24 para 2); None where a purpose
    pushes or markets and the manifest does not say whether automatically."""
    if purpose.kind is PurposeKind.PERSONALIZATION:
        return True
    if purpose.channel is None and purpose.kind is not PurposeKind.MARKETING:
        return False
    return purpose.automated_decision
