"""Rule 10: personal information given to other processors without separate consent.

PIPL 23 needs separate consent, after telling the person who the recipient is, before data goes
to another processor. An affiliated app of the same group is still another processor: the seed
defendant's "账户和密码施行互通…是行业内遍及做法" was no defence. Processors entrusted under
PIPL 21 act on the operator's behalf and are outside this rule.

What counts as stated: each sharing purpose's `basis` (and, for an add-on claimed as contract, its
`user_selected`), each other processor's `named_in_notice`, and, where separate consent is claimed,
`consent.separate_for_sharing`. One of these left out makes that part of the check unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Purpose, PurposeKind, Recipient, RecipientKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import needs_consent
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class SharingWithoutSeparateConsent(Rule):
    id = "CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="向其他个人信息处理者提供个人信息未取得单独同意",
        en="Personal information given to others without separate consent",
    )
    remediation = Text(
        zh="在提供前告知接收方名称、联系方式、处理目的、方式和信息种类，并就该提供单独取得同意"
        "（关联公司同样适用）；仅代为处理的受托方应标为 kind: entrusted 并签订委托协议。",
        en="Before giving data to anyone, tell the person the recipient's name, contact, purpose, "
        "method and data, and obtain separate consent for it (affiliates included); processors acting "
        "for you are kind: entrusted, under a processing agreement.",
    )
    citations = ("PIPL-23", "AVIM-5.1", "AVIM-5.2", "CIVIL-1038")
    rationale = Text(
        zh="未经同意向他人提供个人信息是《民法典》第1038条明确禁止的行为，扩散后无法收回。",
        en="Civil Code 1038 forbids providing personal information to others without consent, and "
        "data once given cannot be taken back.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        given: dict[str, list[Purpose]] = {}  # other processor -> the purposes giving it data
        claiming: list[Purpose] = []  # purposes that say they rest on separate consent
        for purpose in manifest.purposes:
            recipients = _other_processors(manifest, purpose)
            if not recipients and not (purpose.kind is PurposeKind.SHARING and not purpose.recipients):
                continue
            for recipient in recipients:
                given.setdefault(recipient.id, []).append(purpose)
            if purpose.basis is not None and purpose.basis.is_separate:
                claiming.append(purpose)
                continue
            need = needs_consent(purpose)
            if isinstance(need, Unknown):
                yield need
            elif need is True:
                yield _basis_hit(purpose, recipients)
        if claiming:
            yield from _separate_asked(manifest, claiming)
        for recipient_id, purposes in given.items():
            yield from _named(manifest.recipient(recipient_id), purposes)


def _basis_hit(purpose: Purpose, recipients: list[Recipient]) -> Hit:
    assert purpose.basis is not None
    to_whom = _names(recipients)
    return Hit(
        pointer=pointer("purposes", purpose.id, "basis"),
        message=Text(
            zh=f"目的“{purpose.id}”向{to_whom.zh}提供个人信息，合法性基础却是"
            f"“{purpose.basis.value}”，而非单独同意。",
            en=f"Purpose '{purpose.id}' gives personal information to {to_whom.en} "
            f"on '{purpose.basis.value}', not on separate consent.",
        ),
        data=tuple(purpose.data),
        purpose=purpose.id,
    )


def _separate_asked(manifest: Manifest, claiming: list[Purpose]) -> Iterator[Hit | Unknown]:
    """Separate consent claimed in the purposes must be asked for separately in the consent flow."""
    asked = manifest.consent.separate_for_sharing
    if asked is None:
        yield Unknown(pointer("consent", "separate_for_sharing"), "consent.separate_for_sharing")
    elif asked is False:
        yield Hit(
            pointer=pointer("consent", "separate_for_sharing"),
            message=Text(
                zh="清单声称向他人提供信息已取得单独同意，但同意机制并未就提供单独征求同意。",
                en="Sharing is said to rest on separate consent, but the consent flow does not ask "
                "for it separately.",
            ),
            data=_data(claiming),
            purpose=_only(claiming),
        )


def _named(recipient: Recipient, purposes: list[Purpose]) -> Iterator[Hit | Unknown]:
    """PIPL 23: the person is told the recipient's name and contact before anything is given to it."""
    if recipient.named_in_notice is None:
        yield unstated("recipients", recipient.id, "named_in_notice")
    elif recipient.named_in_notice is False:
        yield Hit(
            pointer=pointer("recipients", recipient.id, "named_in_notice"),
            message=Text(
                zh=f"接收方“{recipient.name}”未在告知中写明名称和联系方式。",
                en=f"Recipient '{recipient.name}' is not named, with its contact, in the notice.",
            ),
            data=_data(purposes),
            purpose=_only(purposes),
        )


def _data(purposes: list[Purpose]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(d for p in purposes for d in p.data))


def _only(purposes: list[Purpose]) -> str | None:
    return purposes[0].id if len(purposes) == 1 else None


def _other_processors(manifest: Manifest, purpose: Purpose) -> list[Recipient]:
    """Recipients that decide for themselves: everyone but entrusted processors."""
    recipients = map(manifest.recipient, purpose.recipients)
    return [r for r in recipients if r.kind is not RecipientKind.ENTRUSTED]


def _names(recipients: list[Recipient]) -> Text:
    if not recipients:
        return Text(zh="未列明的接收方", en="recipients it does not name")
    return Text(
        zh="、".join(r.name for r in recipients),
        en=", ".join(r.name for r in recipients),
    )
