"""What is held about the person and why: the first section of the privacy center (PIPL 44, 45).

Read from the services the copy export reads (`rights.gather.HoldingsGatherer`), but only the four
sections a page shows: the gatherer would also scan the audit log for every release of data, which a
page view must not pay for (the full record is one "download my data" away).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from consentgate.manifest.models import Manifest
from consentgate.manifest.names import data_name
from consentgate.runtime.engine import Engine
from consentgate.runtime.profiles.schemas import Attribute, AttributeSource
from consentgate.runtime.settings.schemas import Choice
from consentgate.runtime.sharing.schemas import MAY_HAVE_LEFT, TransferRecord
from consentgate.service.web.privacy_labels import (
    is_masked,
    purpose_label,
    recipient_name,
    shown,
    when,
)
from consentgate.text import Text


@dataclass(frozen=True)
class PurposeUse:
    """A purpose an item serves, and whether it may serve it now: needed, on or off."""

    purpose: str
    label: Text
    state: str


@dataclass(frozen=True)
class HeldValue:
    data_id: str
    label: Text
    value: str
    masked: bool
    purposes: tuple[PurposeUse, ...]
    since: str


@dataclass(frozen=True)
class HeldTag:
    data_id: str
    label: Text
    value: str
    derived_from: tuple[Text, ...]
    purposes: tuple[PurposeUse, ...]
    since: str


@dataclass(frozen=True)
class ConsentRow:
    purpose: str
    label: Text
    recipient: Text | None
    status: str
    notice_version: str
    since: str


@dataclass(frozen=True)
class RecipientRow:
    recipient: str
    name: Text
    purpose: Text
    items: tuple[Text, ...]
    last: str


@dataclass(frozen=True)
class Held:
    values: tuple[HeldValue, ...]
    tags: tuple[HeldTag, ...]
    consents: tuple[ConsentRow, ...]
    recipients: tuple[RecipientRow, ...]


def held(engine: Engine, subject: str, choices: Sequence[Choice]) -> Held:
    manifest = engine.manifest
    order = {item.id: position for position, item in enumerate(manifest.data)}
    attributes = sorted(engine.profiles.attributes(subject), key=lambda a: order.get(a.data_id, len(order)))
    states = _states(choices)
    by_id = {a.attribute_id: a for a in attributes}

    def uses(attribute: Attribute) -> tuple[PurposeUse, ...]:
        return tuple(
            PurposeUse(p, purpose_label(manifest, p), states.get(p, "off")) for p in attribute.purposes
        )

    values = tuple(
        HeldValue(
            data_id=a.data_id,
            label=data_name(manifest, a.data_id),
            value="" if is_masked(manifest, a.data_id) else shown(a.value),
            masked=is_masked(manifest, a.data_id),
            purposes=uses(a),
            since=when(a.created_at),
        )
        for a in attributes
        if a.source is AttributeSource.TYPED
    )
    tags = tuple(
        HeldTag(
            data_id=a.data_id,
            label=data_name(manifest, a.data_id),
            value=shown(a.value),
            # A source replaced since (a corrected answer) is no longer held: named by what it was.
            derived_from=tuple(
                data_name(manifest, by_id[source].data_id) if source in by_id else Text(zh=source, en=source)
                for source in a.derived_from
            ),
            purposes=uses(a),
            since=when(a.created_at),
        )
        for a in attributes
        if a.source is AttributeSource.DERIVED
    )
    facts = sorted(engine.consent.facts(subject).values(), key=lambda f: (f.purpose, f.recipient or ""))
    consents = tuple(
        ConsentRow(
            purpose=f.purpose,
            label=purpose_label(manifest, f.purpose),
            recipient=recipient_name(manifest, f.recipient) if f.recipient else None,
            status=f.status.value,
            notice_version=f.notice_version or "",
            since=when(f.updated_at),
        )
        for f in facts
    )
    return Held(values, tags, consents, _recipients(manifest, engine.sharing.transfers(subject)))


def _states(choices: Iterable[Choice]) -> dict[str, str]:
    states: dict[str, str] = {}
    for choice in choices:
        if not choice.optional:
            states[choice.purpose] = "needed"
        elif choice.on or states.get(choice.purpose) != "on":
            states[choice.purpose] = "on" if choice.on else "off"
    return states


def _recipients(manifest: Manifest, transfers: Iterable[TransferRecord]) -> tuple[RecipientRow, ...]:
    """Per recipient and purpose: the items that may have left (a failed delivery may have arrived)."""
    grouped: dict[tuple[str, str], list[TransferRecord]] = {}
    for transfer in transfers:
        if transfer.status in MAY_HAVE_LEFT and transfer.fields:
            grouped.setdefault((transfer.recipient, transfer.purpose), []).append(transfer)
    rows = []
    for (recipient, purpose), sent in sorted(grouped.items()):
        items = dict.fromkeys(item for transfer in sent for item in transfer.fields)
        rows.append(
            RecipientRow(
                recipient=recipient,
                name=recipient_name(manifest, recipient),
                purpose=purpose_label(manifest, purpose),
                items=tuple(data_name(manifest, item) for item in items),
                last=when(max(transfer.created_at for transfer in sent)),
            )
        )
    return tuple(rows)
