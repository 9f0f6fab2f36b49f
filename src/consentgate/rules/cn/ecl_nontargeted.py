"""Personalized results with no option not targeting the person, before the PIPL (ECL 18).

From 2019-01-01 an e-commerce operator that tailors search results to a consumer's interests or
habits must also offer results that do not target their personal characteristics: the statutory
basis of the non-personalized option until PIPL 24 generalized it (from 2021-11-01, when the PIPL
rule takes over). The rule assumes the app sells goods or services online, as ECL 18 requires; GB/T
35273-2020 7.5 (from 2020-10-01) and AVIM 3.6 carry the same yardstick to personalized display.

A subclass lists its own citations; mypy infers the parent's as a tuple of exactly its length, so the
override carries `type: ignore[assignment]` ("see the module docstring").
"""

from __future__ import annotations

from consentgate.rules.base import Severity
from consentgate.rules.cn.nonpersonalized_option import NoNonPersonalizedOption
from consentgate.text import Text


class EclNoNonTargetedOption(NoNonPersonalizedOption):
    id = "CG-ECL-018-NO-NONTARGETED-OPTION"
    severity = Severity.HIGH
    title = Text(
        zh="个性化结果未同时提供不针对个人特征的选项（《电子商务法》）",
        en="Tailored results with no option not targeting personal traits (ECL)",
    )
    remediation = NoNonPersonalizedOption.remediation
    citations = ("ECL-18", "AVIM-3.6", "GBT35273-7.5")  # type: ignore[assignment]  # see the module docstring
    superseded_by = "PIPL-24"
    rationale = Text(
        zh="《电子商务法》第十八条要求同时提供不针对个人特征的选项；法院在种子案件中亦认为个性化推送不应是唯一模式。",
        en="ECL 18 requires an option not targeting personal characteristics alongside tailored results; "
        "the seed court likewise held that personalized push must not be the only mode.",
    )
