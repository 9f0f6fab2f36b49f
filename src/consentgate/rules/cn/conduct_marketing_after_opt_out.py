"""Conduct: marketing messages sent after the person refused them, unsubscribed or withdrew consent.

The design rules ask whether a marketing purpose *can* be refused (rule 8b); this one reads what was
*done*: a record in `conduct.messages` saying messages under a marketing purpose went out after the
person had said no. Refusing is the right PIPL 44 grants, unsubscribing and withdrawing are PIPL 15's
withdrawal; after either there is no consent left for the messages to rest on. Calls, SMS, e-mail and
instant messages also reach into private life (Civil Code 1033(1)), and where the purpose promises a
way to unsubscribe, sending anyway breaks the app's own declared rules (AVIM 3.9).

Messages under a purpose that is not marketing (order notices, security alerts) are not judged here:
an unsubscribe from offers does not stop the service's own notices.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import SentAfter, SentMessages
from consentgate.manifest.models import Channel, Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn._conduct import between, named, record_at, unstated
from consentgate.rules.facts import is_marketing
from consentgate.text import Text

_AFTER = {
    SentAfter.REFUSAL: (Text(zh="明确拒绝", en="refused them"), ("PIPL-44",)),
    SentAfter.UNSUBSCRIBE: (Text(zh="退订", en="unsubscribed"), ("PIPL-15", "PIPL-44")),
    SentAfter.WITHDRAWAL: (Text(zh="撤回同意", en="withdrew consent"), ("PIPL-15", "PIPL-44")),
}
# Civil Code 1033(1): the means that disturb the tranquillity of private life.
_PRIVATE_LIFE = {Channel.SMS.value, Channel.PHONE.value, Channel.EMAIL.value, Channel.IM.value}


class MarketingAfterOptOut(Rule):
    id = "CG-PIPL-044-MARKETING-AFTER-OPT-OUT"
    severity = Severity.HIGH
    title = Text(
        zh="个人拒绝、退订或撤回同意后仍向其发送营销信息",
        en="Marketing sent after the person refused it, unsubscribed or withdrew consent",
    )
    remediation = Text(
        zh="拒绝、退订或撤回同意后立即停止向该个人发送营销信息：将其号码或账号列入禁发名单，"
        "每次发送前核对该名单，并查明此前为何仍有发送。",
        en="Stop marketing to a person as soon as they refuse, unsubscribe or withdraw: put the number or "
        "account on a suppression list, check it before every send, and find out why messages still went out.",
    )
    citations = ("PIPL-44", "PIPL-15", "CIVIL-1033.1", "AVIM-3.9")
    rationale = Text(
        zh="拒绝或撤回后已无任何同意可依，继续发送即无合法基础的处理，并侵扰私人生活安宁。",
        en="After a refusal or withdrawal no consent is left to rest on: each further message is processing "
        "without a basis, and it intrudes on private life.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return  # conduct is optional evidence: nothing recorded, nothing to judge
        for index, sent in enumerate(manifest.conduct.messages):
            yield from _judge(manifest, index, sent)


def _judge(manifest: Manifest, index: int, sent: SentMessages) -> Iterator[Hit | Unknown]:
    if sent.after is None:
        yield unstated("messages", sent, index, "after")
        return
    if sent.after is SentAfter.NONE:
        return  # whether the purpose had consent at all is the design rules' question
    if sent.purpose is None:
        yield unstated("messages", sent, index, "purpose")
        return
    purpose = manifest.purposes_by_id.get(sent.purpose)
    if purpose is None or not is_marketing(purpose):
        return
    said, clauses = _AFTER[sent.after]
    channel = sent.channel.value if sent.channel is not None else purpose.channel
    if channel in _PRIVATE_LIFE:
        clauses += ("CIVIL-1033.1",)
    promised = purpose.marketing is not None and purpose.marketing.unsubscribe is True
    if promised:
        clauses += ("AVIM-3.9",)
    how = Text(zh=f"通过 {channel} ", en=f" by {channel}") if channel else Text(zh="", en="")
    count = (
        Text(zh=f"，共 {sent.count} 条", en=f" ({sent.count} message{'' if sent.count == 1 else 's'})")
        if sent.count
        else Text(zh="", en="")
    )
    dates = between(sent.first_sent, sent.last_sent)
    broken = (
        Text(zh="，违反其自身声明的退订方式", en=", against the way out its own design promises")
        if promised
        else Text(zh="", en="")
    )
    yield Hit(
        pointer=record_at("messages", sent, index, "after"),
        message=Text(
            zh=f"发送记录{named(sent, index).zh}：个人{said.zh}后，仍{how.zh}发送营销目的“{purpose.id}”的信息"
            f"{count.zh}{dates.zh}{broken.zh}。",
            en=f"Message record {named(sent, index).en}: after the person {said.en}, messages of marketing "
            f"purpose '{purpose.id}' still went out{how.en}{dates.en}{count.en}{broken.en}.",
        ),
        only=clauses,
        data=tuple(purpose.data),
        purpose=purpose.id,
    )
