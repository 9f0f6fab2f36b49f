"""Rule 7: personalized push or feeds with no way to get the non-personalized version.

PIPL 24 para 2: push and marketing by automated decision must come with an option not based on
personal characteristics, or a convenient way to refuse. The seed court ordered the defendant not
to rely on "仅提供个性化决策推送信息这一种业务模式".
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, OptOut, Purpose, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        for purpose in manifest.purposes:
            if not _personalizes(purpose):
                continue
            options = purpose.personalization
            if options is None:
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "personalization"),
                    message=Text(
                        zh=f"目的“{purpose.id}”基于个人特征推送信息，但未声明任何非个性化选项或拒绝方式"
                        "（personalization）。",
                        en=f"Purpose '{purpose.id}' pushes content based on personal traits but declares "
                        "no non-personalized option or way to refuse (personalization).",
                    ),
                )
                continue
            if options.only_mode:
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "personalization", "only_mode"),
                    message=Text(
                        zh=f"目的“{purpose.id}”的个性化推送是唯一的推送模式，用户无从选择非个性化内容。",
                        en=f"Personalized push is the only mode of purpose '{purpose.id}': there is no "
                        "non-personalized alternative to choose.",
                    ),
                )
            if not options.non_personalized_option and options.opt_out not in _CONVENIENT:
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "personalization", "non_personalized_option"),
                    message=Text(
                        zh=f"目的“{purpose.id}”既没有非个性化选项，关闭方式也不便捷（{options.opt_out.value}）。",
                        en=f"Purpose '{purpose.id}' has no non-personalized option and no convenient way "
                        f"to turn it off (opt_out: {options.opt_out.value}).",
                    ),
                )


def _personalizes(purpose: Purpose) -> bool:
    """Personalization, or push/marketing decided automatically (PIPL 24 para 2)."""
    return purpose.kind is PurposeKind.PERSONALIZATION or (
        purpose.automated_decision and (purpose.channel is not None or purpose.kind is PurposeKind.MARKETING)
    )
