"""One tick box that gives "separate" consent to several recipients at once.

PIPL 23's separate consent is given for a provision to a named recipient, after being told that
recipient's name, contact, purpose and data: one tick for two affiliated apps is one consent for
two provisions, so neither was consented to separately (issue 12: the fixed seed app's
share-affiliates box named 关联软件甲 and 关联软件乙 and wrote two `separate` events). A box that
lists no `recipients` covers every recipient of its purposes. Entrusted processors (PIPL 21) act
for the operator and need no consent of their own, so they are not counted, and so is a purpose
that needs no consent at all (`facts.needs_consent`). Where counting a purpose whose basis is not
stated (or, for an add-on claimed as contract, whose `user_selected` is not) would make the box
cover several recipients, the check is unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import ConsentBox, Manifest, Purpose, Recipient, RecipientKind, Screen
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import needs_consent
from consentgate.text import Text


class OneBoxSeveralRecipients(Rule):
    id = "CG-PIPL-023-ONE-BOX-SEVERAL-RECIPIENTS"
    severity = Severity.HIGH
    title = Text(
        zh="一个同意框同时向多个接收方提供个人信息，未就每个接收方单独同意",
        en="One consent box covers several recipients: no separate consent for each",
    )
    remediation = Text(
        zh="每个接收方单独设置一个同意框（在 consent_boxes 的 recipients 中只写一个接收方），"
        "框旁写明该接收方的名称、联系方式、处理目的和所提供的信息种类；用户可以只同意其中一个。",
        en="Give each recipient a box of its own (one id under the box's `recipients`), next to that "
        "recipient's name, contact, purpose and data, so a person can agree to one and not the other.",
    )
    citations = ("PIPL-23", "PIPL-14", "AVIM-5.2")
    rationale = Text(
        zh="单独同意是向他人提供个人信息的法定前提；一次勾选覆盖多个接收方，对每一次提供都不构成单独同意，"
        "提供即无合法基础。",
        en="Separate consent is the statutory precondition of giving data to another processor; one tick "
        "for several recipients is separate consent to none of them, so each provision lacks a basis.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for screen in manifest.onboarding:
            for index, box in enumerate(screen.consent_boxes):
                purposes = [manifest.purpose(p) for p in box.purposes]
                needs = {p.id: needs_consent(p) for p in purposes}
                asking = [p for p in purposes if needs[p.id] is True]
                covered = _other_processors(manifest, box, asking)
                if len(covered) > 1:
                    yield _hit(screen, index, box, covered, asking)
                elif len(_other_processors(manifest, box, purposes)) > 1:
                    # Several recipients if the purposes whose basis is not stated need consent.
                    yield from (need for need in needs.values() if isinstance(need, Unknown))


def _other_processors(manifest: Manifest, box: ConsentBox, purposes: list[Purpose]) -> list[Recipient]:
    """The other processors this box gives consent for through `purposes` (those that need consent)."""
    receiving = dict.fromkeys(r for p in purposes for r in p.recipients)
    named = [r for r in box.recipients if r in receiving] if box.recipients else list(receiving)
    recipients = map(manifest.recipient, named)
    return [r for r in recipients if r.kind is not RecipientKind.ENTRUSTED]


def _hit(
    screen: Screen, index: int, box: ConsentBox, covered: list[Recipient], purposes: list[Purpose]
) -> Hit:
    at = ("onboarding", screen.id, "consent_boxes", index)
    how = (
        Text(zh="涵盖", en="names")
        if box.recipients
        else Text(
            zh="未列出接收方，默认涵盖其目的的全部接收方",
            en="names none, so it covers every recipient of its purposes",
        )
    )
    return Hit(
        pointer=pointer(*at, "recipients") if box.recipients else pointer(*at),
        message=Text(
            zh=f"界面“{screen.id}”的第{index + 1}个同意框（{'、'.join(box.purposes)}）{how.zh}："
            f"{len(covered)}个接收方（{'、'.join(r.name for r in covered)}）一次勾选即全部同意。",
            en=f"Consent box {index + 1} on screen '{screen.id}' ({', '.join(box.purposes)}) {how.en}: "
            f"{len(covered)} recipients ({', '.join(r.name for r in covered)}) get data on one tick.",
        ),
        data=tuple(dict.fromkeys(d for p in purposes for d in p.data)),
        purpose=purposes[0].id if len(purposes) == 1 else None,
    )
