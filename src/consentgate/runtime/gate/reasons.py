"""Every reason the gate can give, in one bilingual table: its verdict, its text and the law it rests on.

The texts are decision metadata like a rule's title and citations, so they live beside the codes
rather than in the i18n catalog; the rules module only picks a code. A test checks that every code
has an entry here and that every citation resolves in the law catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from consentgate.runtime.gate.decision import Decision, ReasonCode
from consentgate.text import Text

R = ReasonCode


@dataclass(frozen=True)
class Reason:
    allowed: bool
    message: Text
    citations: tuple[str, ...]


def _allow(zh: str, en: str, *citations: str) -> Reason:
    return Reason(True, Text(zh=zh, en=en), citations)


def _deny(zh: str, en: str, *citations: str) -> Reason:
    return Reason(False, Text(zh=zh, en=en), citations)


REASONS: MappingProxyType[ReasonCode, Reason] = MappingProxyType(
    {
        R.CONTRACT_NECESSITY: _allow(
            "该数据是基本功能（或用户主动开启的附加功能）履行合同所必需的个人信息，无需取得个人同意。",
            "The data is necessary to perform the contract for a basic function (or an add-on the user "
            "turned on), so no consent is needed.",
            "PIPL-13.2",
            "NPI-article-4",
        ),
        R.LEGAL_OBLIGATION: _allow(
            "为履行法定职责或者法定义务所必需，无需取得个人同意。",
            "Necessary to perform a statutory duty or obligation, so no consent is needed.",
            "PIPL-13.3",
        ),
        R.EMERGENCY: _allow(
            "为应对突发公共卫生事件或紧急情况下保护自然人生命健康和财产安全所必需，无需取得个人同意。",
            "Necessary in a public-health emergency or to protect life, health or property in an "
            "emergency, so no consent is needed.",
            "PIPL-13.4",
        ),
        R.NEWS_REPORTING: _allow(
            "为公共利益实施新闻报道、舆论监督等行为，在合理范围内处理，无需取得个人同意。",
            "News reporting or public-opinion oversight in the public interest, within a reasonable "
            "scope, so no consent is needed.",
            "PIPL-13.5",
        ),
        R.PUBLIC_INFORMATION: _allow(
            "在合理范围内处理个人自行公开或者其他已经合法公开的个人信息，无需取得个人同意。",
            "Information the person published or that was otherwise lawfully made public, processed "
            "within a reasonable scope, so no consent is needed.",
            "PIPL-13.6",
        ),
        R.OTHER_LAW: _allow(
            "属于法律、行政法规规定的其他无需同意的情形。",
            "Another case laws or administrative regulations provide for, so no consent is needed.",
            "PIPL-13.7",
        ),
        R.CONSENT: _allow(
            "个人已在现行告知文本版本上就该处理目的和数据作出同意，且同意仍然有效。",
            "The person consented to this purpose and data on a notice version that is still current, "
            "and the consent is live.",
            "PIPL-13.1",
            "PIPL-14",
        ),
        R.SEPARATE_CONSENT: _allow(
            "个人已就该处理（向所列接收方提供或处理敏感个人信息）作出单独同意，且同意仍然有效。",
            "The person gave separate consent to this processing (provision to the named recipient, "
            "or sensitive personal information), and the consent is live.",
            "PIPL-13.1",
            "PIPL-23",
            "PIPL-29",
        ),
        R.DATA_OUTSIDE_PURPOSE: _deny(
            "请求的数据超出该处理目的声明的数据范围；超出原目的处理须重新告知并取得同意。",
            "The requested data is outside what this purpose declares; processing beyond the "
            "purpose needs a new notice and new consent.",
            "PIPL-6",
            "PIPL-14",
        ),
        R.RECIPIENT_OUTSIDE_PURPOSE: _deny(
            "该接收方不在此处理目的声明的接收方之列，不得向其提供。",
            "This recipient is not among the recipients the purpose declares, so nothing may be "
            "provided to it.",
            "PIPL-6",
            "PIPL-23",
        ),
        R.RECIPIENT_NOT_NAMED: _deny(
            "向他人提供个人信息须指明接收方，并取得个人就该接收方作出的单独同意。",
            "Providing personal information to another processor must name the recipient, and needs "
            "the person's separate consent for that recipient.",
            "PIPL-23",
        ),
        R.NOT_NECESSARY_FOR_CONTRACT: _deny(
            "履行合同所必需仅涵盖基本功能所必需的个人信息；该处理超出此范围，须取得个人同意，而个人尚未同意。",
            "Contract necessity covers only the necessary data of a basic function; this processing "
            "goes beyond it, so it needs consent, which the person has not given.",
            "PIPL-13.2",
            "PIPL-13.1",
            "NPI-article-4",
        ),
        R.NO_CONSENT: _deny(
            "该处理目的以同意为基础，但尚未征得个人同意。",
            "This purpose rests on consent, and the person has not been asked yet.",
            "PIPL-13.1",
            "PIPL-14",
        ),
        R.REFUSED: _deny(
            "个人已拒绝该处理；拒绝后不得处理。",
            "The person refused this processing, so it may not happen.",
            "PIPL-44",
        ),
        R.WITHDRAWN: _deny(
            "个人已撤回同意；撤回后不得继续基于该同意处理。",
            "The person withdrew consent; processing may not continue on it.",
            "PIPL-15",
        ),
        R.RESTRICTED: _deny(
            "个人已要求限制处理其个人信息；在解除限制前，除存储外停止一切处理。",
            "The person restricted the processing of their data; until that is lifted, nothing but "
            "storage may happen.",
            "PIPL-44",
            "PIPL-47",
        ),
        R.FACTS_UNAVAILABLE: _deny(
            "暂时无法确认个人的同意仍然有效（变更通知中断，数据库也未应答）；在能够确认之前不处理。",
            "Whether the person's consent is still live cannot be confirmed right now (the change feed "
            "is down and the database did not answer); nothing is processed until it can be.",
            "PIPL-13.1",
            "PIPL-15",
        ),
        R.EXPIRED: _deny(
            "个人的同意已过期，须重新征得同意。",
            "The person's consent has expired; ask again.",
            "PIPL-13.1",
            "PIPL-14",
        ),
        R.STALE_NOTICE: _deny(
            "同意是在已发生重大变更之前的告知文本版本上作出的；须展示现行告知并重新取得同意。",
            "The consent was given on a notice version before a material change; show the current "
            "notice and ask again.",
            "PIPL-14",
            "PIPL-17",
        ),
        R.DATA_NOT_CONSENTED: _deny(
            "个人的同意未涵盖请求的全部数据项。",
            "The person's consent does not cover every requested data item.",
            "PIPL-14",
            "PIPL-6",
        ),
        R.SHARING_NEEDS_SEPARATE_CONSENT: _deny(
            "向第三方提供个人信息须取得个人就该接收方作出的单独同意，一般同意不足。",
            "Providing personal information to a third party needs separate consent naming that "
            "recipient; general consent is not enough.",
            "PIPL-23",
        ),
        R.SENSITIVE_NEEDS_SEPARATE_CONSENT: _deny(
            "处理敏感个人信息须取得个人的单独同意，一般同意不足。",
            "Processing sensitive personal information needs the person's separate consent; general "
            "consent is not enough.",
            "PIPL-29",
            "PIPL-28",
        ),
        R.NOT_RECORDED: _deny(
            "本次提供无法记入审计日志（日志暂时无法写入数据库）；无法事后证明的处理不予进行，请稍后重试。",
            "This release could not be recorded in the audit log (it cannot write to its database "
            "right now); processing that could not be proven afterwards does not happen. Try again "
            "later.",
            "PIPL-69",
            "GBT35273-11.3",
        ),
    }
)


def build(code: ReasonCode, consent_event_id: str | None = None) -> Decision:
    """The decision for `code`, from the table."""
    reason = REASONS[code]
    return Decision(reason.allowed, code, reason.message, reason.citations, consent_event_id)


# One shared object per reason that rests on no particular consent event: the hot path allocates nothing.
FIXED: MappingProxyType[ReasonCode, Decision] = MappingProxyType({code: build(code) for code in REASONS})
