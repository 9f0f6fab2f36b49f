"""Rule 4b: a notice that leaves out what PIPL 17 says it must state.

PIPL 17 lists the contents of a notice: who processes (and how to reach them), each purpose and
method, each kind of data, retention, and how to exercise rights; AVIM 2.1 adds that purposes
must be listed one by one, including those of entrusted parties and embedded SDKs, so a notice
over processing that gives data to others must say to whom. A notice that is never shown is
left to the prior-notice rule: its contents inform nobody.

Each content is judged only where stated: `true` (the notice says it) or `false` (it does not). A
content left out, or a notice that does not say when it is shown (it may be never), leaves the check
unconfirmed; a notice stated complete needs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Notice, NoticeTiming, Purpose, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text

# Notice flag → what it is missing when false.
_REQUIRED = {
    "lists_each_purpose": Text(zh="未逐一列明处理目的", en="does not list each purpose"),
    "lists_each_data_item": Text(zh="未逐一列明收集的个人信息种类", en="does not list each data item"),
    "operator_contact": Text(zh="未写明处理者名称和联系方式", en="gives no operator name and contact"),
    "retention": Text(zh="未写明保存期限", en="states no retention period"),
    "rights_procedure": Text(
        zh="未说明个人行使权利的方式和程序", en="does not explain how to exercise rights"
    ),
}


class NoticeIncomplete(Rule):
    id = "CG-AVIM-021-NOTICE-INCOMPLETE"
    severity = Severity.MEDIUM
    title = Text(
        zh="隐私政策未完整告知法定事项",
        en="The notice leaves out contents that PIPL Art. 17 requires",
    )
    remediation = Text(
        zh="在隐私政策中逐一列明每项处理目的、对应的个人信息种类、保存期限、接收方（含委托方和 SDK）、"
        "处理者联系方式以及查阅、更正、删除等权利的行使方式。",
        en="List in the notice each purpose with its data items, the retention period, every recipient "
        "(including entrusted parties and SDKs), the operator's contact and how to exercise each right.",
    )
    citations = ("PIPL-17", "AVIM-2.1")
    rationale = Text(
        zh="告知存在但不完整，知情同意打了折扣而非完全缺失，故为中等。",
        en="A notice exists but is incomplete: consent is weakened rather than absent, hence medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for notice in manifest.notices:
            if notice.shown is NoticeTiming.NEVER:
                continue  # a notice nobody sees is rule CG-PIPL-017-NO-PRIOR-NOTICE's finding
            gaps = list(_gaps(manifest, notice))
            if notice.shown is None and gaps:
                yield _unknown(notice, "shown")  # never shown would make the gaps moot
            for flag, hit in gaps:
                if getattr(notice, flag) is None:
                    yield _unknown(notice, flag)
                elif notice.shown is not None:
                    yield hit


def _gaps(manifest: Manifest, notice: Notice) -> Iterator[tuple[str, Hit]]:
    """Each content the notice does not state it gives (false or unstated), with the hit if false."""
    for flag, missing in _REQUIRED.items():
        if getattr(notice, flag) is not True:
            yield flag, _hit(notice, flag, missing)
    if notice.lists_recipients is not True:
        sharing = _sharing(manifest, notice)
        if sharing:
            missing = Text(
                zh="未列明接收个人信息的第三方，而清单中的处理涉及向他人提供",
                en="names no recipients although the processing it covers gives data to others",
            )
            data = tuple(dict.fromkeys(d for p in sharing for d in p.data))
            purpose = sharing[0].id if len(sharing) == 1 else None
            yield "lists_recipients", _hit(notice, "lists_recipients", missing, data, purpose)


def _unknown(notice: Notice, flag: str) -> Unknown:
    return Unknown(pointer("notices", notice.id, flag), f"notices[{notice.id}].{flag}")


def _sharing(manifest: Manifest, notice: Notice) -> list[Purpose]:
    """The purposes the notice covers that give data to others."""
    covered = [p for p in manifest.purposes if not notice.purposes or p.id in notice.purposes]
    return [p for p in covered if p.recipients or p.kind is PurposeKind.SHARING]


def _hit(
    notice: Notice, flag: str, missing: Text, data: tuple[str, ...] = (), purpose: str | None = None
) -> Hit:
    return Hit(
        pointer=pointer("notices", notice.id, flag),
        message=Text(
            zh=f"告知文本“{notice.id}”{missing.zh}。",
            en=f"Notice '{notice.id}' {missing.en}.",
        ),
        data=data,
        purpose=purpose,
    )
