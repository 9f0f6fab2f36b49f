"""Conduct: personal information provided to a recipient against the person's choice, or beyond the design.

`conduct.provisions` records data actually handed to a recipient. Handing it over although the person
refused, left the box for it unticked or withdrew the consent it rested on is a provision without the
separate consent PIPL 23 requires (and without the consent Civil Code 1038 requires): high.

Where the person had said nothing against it (`despite: none`, or not stated), the record is still
judged against the design: a recipient no purpose provides data to (or not the stated purpose), or
data items beyond what those purposes provide, mean the notice and the consent built from the design
could not have covered this provision (AVIM 3.9: processing against the app's own declared rules).
That is medium: the design may merely be incomplete, and the finding says so.

An entrusted processor (PIPL 21) acts for the app; what it receives is the app's own processing,
judged by the purpose's rules, so it is not a provision here.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import Despite, Provision
from consentgate.manifest.models import Manifest, RecipientKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn._conduct import named, on, record_at, unstated
from consentgate.text import Text

_DESPITE = {
    Despite.REFUSAL: (
        Text(zh="个人已明确拒绝", en="the person had refused it"),
        ("PIPL-23", "PIPL-44", "CIVIL-1038"),
    ),
    Despite.UNTICKED_BOX: (
        Text(zh="个人未勾选同意该提供的选框", en="the person had left its box unticked"),
        ("PIPL-23", "CIVIL-1038"),
    ),
    Despite.WITHDRAWAL: (
        Text(zh="个人已撤回其所依据的同意", en="the person had withdrawn the consent it rested on"),
        ("PIPL-23", "PIPL-15", "CIVIL-1038"),
    ),
}
_BEYOND_DESIGN = ("PIPL-23", "AVIM-3.9")


class ProvisionDespiteRefusal(Rule):
    id = "CG-PIPL-023-PROVISION-DESPITE-REFUSAL"
    severity = Severity.HIGH
    title = Text(
        zh="个人拒绝、未勾选或撤回同意后仍向他人提供其个人信息，或超出声明的范围提供",
        en="Data provided to a recipient despite a refusal, unticked box or withdrawal, or beyond the design",
    )
    remediation = Text(
        zh="停止向该接收方提供，要求其删除已接收的信息；每次提供前核对个人对该接收方的单独同意是否仍然有效；"
        "确需提供的，在清单和告知中写明接收方、目的和信息种类，并取得单独同意。",
        en="Stop the provision and have the recipient delete what it received; check before every provision "
        "that the person's separate consent for that recipient is still in force; where a provision is "
        "needed, declare the recipient, purpose and data in the manifest and the notice and get separate consent.",
    )
    citations = ("PIPL-23", "PIPL-44", "PIPL-15", "CIVIL-1038", "AVIM-3.9")
    rationale = Text(
        zh="违背个人明示的拒绝向他人提供，即无单独同意的提供，原案中向关联软件共享即被认定侵权；"
        "仅超出清单声明的范围为中等。",
        en="Providing against an expressed refusal is provision without separate consent; the seed court held "
        "sharing with affiliated apps unlawful. Only going beyond the declared design is medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return  # conduct is optional evidence: nothing recorded, nothing to judge
        for index, provision in enumerate(manifest.conduct.provisions):
            recipient = manifest.recipients_by_id.get(provision.recipient)
            if recipient is None or recipient.kind is RecipientKind.ENTRUSTED:
                continue
            if provision.despite is None:
                yield unstated("provisions", provision, index, "despite")
            elif provision.despite is not Despite.NONE:
                yield _against_choice(index, provision, provision.despite)
                continue
            yield from _beyond_design(manifest, index, provision)


def _against_choice(index: int, provision: Provision, despite: Despite) -> Hit:
    said, clauses = _DESPITE[despite]
    return Hit(
        pointer=record_at("provisions", provision, index, "despite"),
        message=Text(
            zh=f"提供记录{named(provision, index).zh}：{said.zh}，仍向“{provision.recipient}”提供了"
            f"{_items(provision.data).zh}{on(provision.date).zh}。",
            en=f"Provision {named(provision, index).en}: {_items(provision.data).en} went to "
            f"'{provision.recipient}'{on(provision.date).en} although {said.en}.",
        ),
        only=clauses,
        data=tuple(provision.data),
        purpose=provision.purpose,
    )


def _beyond_design(manifest: Manifest, index: int, provision: Provision) -> Iterator[Hit | Unknown]:
    """The provision measured against the purposes that declare this recipient."""
    if not manifest.states("purposes"):
        # No design stated (an observed manifest, issue 18): nothing to measure against, not "none declared".
        yield Unknown(pointer("purposes"), "purposes")
        return
    if provision.purpose is not None:
        stated = manifest.purposes_by_id.get(provision.purpose)
        purposes = [stated] if stated is not None else []
    else:
        purposes = list(manifest.purposes)
    covering = [p for p in purposes if provision.recipient in p.recipients]
    if not covering:
        scope = (
            Text(
                zh=f"目的“{provision.purpose}”并未声明", en=f"purpose '{provision.purpose}' does not declare"
            )
            if provision.purpose is not None
            else Text(zh="清单中没有任何目的声明", en="no purpose of the manifest declares")
        )
        yield Hit(
            pointer=record_at("provisions", provision, index, "recipient"),
            message=Text(
                zh=f"提供记录{named(provision, index).zh}：信息提供给了“{provision.recipient}”，但{scope.zh}"
                "向其提供，告知和单独同意因此无从覆盖这次提供。若清单不完整，请补全并取得单独同意。",
                en=f"Provision {named(provision, index).en}: data went to '{provision.recipient}', but "
                f"{scope.en} providing data to it, so no notice or separate consent built from the "
                "design covers it. If the manifest is incomplete, complete it and get separate consent.",
            ),
            severity=Severity.MEDIUM,
            only=_BEYOND_DESIGN,
            data=tuple(provision.data),
            purpose=provision.purpose,
        )
        return
    declared = {d for p in covering for d in p.data}
    outside = tuple(d for d in provision.data if d not in declared)
    if outside:
        yield Hit(
            pointer=record_at("provisions", provision, index, "data"),
            message=Text(
                zh=f"提供记录{named(provision, index).zh}：向“{provision.recipient}”提供的{_items(outside).zh}"
                "超出了向其提供信息的目的所声明的信息种类。",
                en=f"Provision {named(provision, index).en}: {_items(outside).en} provided to "
                f"'{provision.recipient}' goes beyond the data the purposes providing to it declare.",
            ),
            severity=Severity.MEDIUM,
            only=_BEYOND_DESIGN,
            data=outside,
            purpose=covering[0].id if len(covering) == 1 else provision.purpose,
        )


def _items(data: list[str] | tuple[str, ...]) -> Text:
    if not data:
        return Text(zh="个人信息", en="personal information")
    listed = "、".join(data), ", ".join(data)
    return Text(zh=f"个人信息（{listed[0]}）", en=f"personal information ({listed[1]})")
