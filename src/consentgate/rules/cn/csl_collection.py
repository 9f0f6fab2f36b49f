"""Collection before the PIPL: no notice, forced, beyond what is necessary, or obtained from others (CSL 41).

From 2017-06-01 to 2021-10-31 the Cybersecurity Law was the statute on collection: operators must
publish their rules, state purpose, method and scope, obtain consent, and collect nothing unrelated
to the service. Courts pleaded it with the General Provisions of the Civil Law, Art. 111 (until
2020-12-31), then with Civil Code 1035 (from 2021-01-01); the engine cites whichever was in force on
the day of the conduct. The facts that make the breach are the same as under the PIPL, so each rule
here reuses its PIPL rule's logic under these citations; from 2021-11-01 the PIPL rule judges it.

The 39-type necessary-PI provisions took effect on 2021-05-01. Before that they are still the
project's yardstick of what an app type needs (the seed court used them for conduct of 2021-01),
but they are cited only from their own date.

A subclass lists its own citations; mypy infers the parent's as a tuple of exactly its length, so the
override carries `type: ignore[assignment]` ("see the module docstring").
"""

from __future__ import annotations

from consentgate.rules.base import Severity
from consentgate.rules.cn.beyond_necessary import BeyondNecessary
from consentgate.rules.cn.forced_collection import ForcedCollection
from consentgate.rules.cn.prior_notice import NoPriorNotice
from consentgate.rules.cn.third_party_source import ThirdPartySourceNoBasis
from consentgate.text import Text


class CslNoPriorNotice(NoPriorNotice):
    id = "CG-CSL-041-NO-PRIOR-NOTICE"
    severity = Severity.HIGH
    title = Text(
        zh="收集个人信息前未公开收集使用规则（《网络安全法》）",
        en="Personal information collected before the collection rules were shown (CSL)",
    )
    remediation = NoPriorNotice.remediation
    citations = ("CSL-41", "CIVIL-1035.2", "GPCL-111", "AVIM-1.2", "AVIM-3.1")  # type: ignore[assignment]  # see the module docstring
    superseded_by = "PIPL-17"
    rationale = Text(
        zh="《网络安全法》第四十一条要求公开收集、使用规则并明示目的、方式和范围后经同意收集；"
        "未事先告知，此后的收集均不具备该条的前提。",
        en="CSL 41 requires published rules and an express statement of purpose, method and scope before "
        "consent and collection; without prior notice nothing collected afterwards meets it.",
    )


class CslForcedCollection(ForcedCollection):
    id = "CG-CSL-041-FORCED-COLLECTION"
    severity = Severity.HIGH
    title = Text(
        zh="强制收集非必要个人信息：不填写就无法进入首页（《网络安全法》）",
        en="Non-necessary personal information forced: no way in without it (CSL)",
    )
    remediation = ForcedCollection.remediation
    citations = ("CSL-41", "CIVIL-1035", "GPCL-111", "AVIM-4.2", "NPI-article-4")  # type: ignore[assignment]  # see the module docstring
    superseded_by = "PIPL-16"
    rationale = Text(
        zh="不提供就无法使用的“同意”不是被收集者的同意，且所收集的信息超出必要范围，"
        "违反《网络安全法》第四十一条的必要原则与同意要求。",
        en="'Consent' that is the price of entry is not the consent of the person, and the data exceeds "
        "what is necessary: both CSL 41's necessity principle and its consent requirement are broken.",
    )


class CslBeyondNecessary(BeyondNecessary):
    id = "CG-CSL-041-BEYOND-NECESSARY"
    severity = Severity.HIGH
    title = Text(
        zh="超出必要范围且未经同意收集个人信息（《网络安全法》）",
        en="Data beyond what is necessary collected without consent (CSL)",
    )
    remediation = Text(
        zh="只收集该类 App 基本功能所必需的个人信息；其他信息应在明示目的、方式和范围后取得同意，并允许拒绝。",
        en="Collect only what the app type's basic function needs; for anything else state purpose, "
        "method and scope and obtain consent that can be refused.",
    )
    citations = ("CSL-41", "CIVIL-1035", "GPCL-111", "NPI-article-3")  # type: ignore[assignment]  # see the module docstring
    superseded_by = "PIPL-13.2"
    rationale = Text(
        zh="《网络安全法》第四十一条没有“合同必需”可免于同意的例外：超出必要范围又未经同意的收集即违法。",
        en="CSL 41 knows no contract-necessity exception to consent: collection beyond necessity and "
        "without consent is unlawful.",
    )


class CslThirdPartySourceNoBasis(ThirdPartySourceNoBasis):
    id = "CG-CSL-041-THIRD-PARTY-SOURCE-NO-BASIS"
    severity = Severity.HIGH
    title = Text(
        zh="间接获取的个人信息来源不明或未依法取得（《网络安全法》）",
        en="Data obtained from others with no provenance or no lawful basis (CSL)",
    )
    remediation = ThirdPartySourceNoBasis.remediation
    citations = ("CSL-41", "CSL-44", "GPCL-111", "CIVIL-1035", "AVIM-3.1")  # type: ignore[assignment]  # see the module docstring
    superseded_by = "PIPL-13"
    rationale = Text(
        zh="本人从未向运营者作出同意；《民法总则》第一百一十一条、《网络安全法》第四十四条要求依法取得个人信息，"
        "整个处理链条自始缺乏依据。",
        en="The person never consented to the operator; GPCL 111 and CSL 44 require personal information "
        "to be obtained lawfully, so the whole chain of processing lacks a basis from the start.",
    )
