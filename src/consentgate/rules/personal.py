"""Anonymised data is not personal information: the one place that keeps rules about PI away from it.

PIPL 4 excludes information that has been anonymised from personal information, and Civil Code 1038
allows providing data "processed so that a specific individual cannot be identified and it cannot be
restored". A data item states this with `identifiable: false`. De-identified data (`deidentified: true`,
a pseudonym or a hashed id) is still personal information: it stays in every rule.

Rules need not filter anything themselves: the engine drops each result that concerns anonymised data
only (`concerns_only_anonymised`), judged from what the result names (`Hit.data`, `Hit.purpose`) or,
where it names nothing, from where it points: a data item or an entry of a list of data ids, else the
purpose, cross-border transfer or recipient it is inside, by the data that one processes or receives.
A rule that reasons over data before it yields (counts, sets of items, lists in a message) should use
`Manifest.personal_data`, `DataItem.is_personal` or `personal_ids` instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.manifest.models import DataItem, Manifest, Purpose
from consentgate.manifest.positions import unescape
from consentgate.rules.base import Hit, Unknown


def personal_ids(manifest: Manifest, data_ids: Iterable[str]) -> list[str]:
    """The ids among `data_ids` that are personal information (unknown ids are kept: not ours to judge)."""
    known = manifest.data_by_id
    return [d for d in data_ids if d not in known or known[d].is_personal]


def concerns_only_anonymised(manifest: Manifest, result: Hit | Unknown) -> bool:
    """True when every data item the result is about is stated anonymised, so no PI rule applies to it."""
    if len(manifest.personal_data) == len(manifest.data):
        return False  # nothing is anonymised (nearly every manifest): nothing to look up
    named = result.data if isinstance(result, Hit) else ()
    if named:
        return _all_anonymised(manifest, named)
    item = data_at(manifest, result.pointer)
    if item is not None:
        return not item.is_personal
    if isinstance(result, Hit) and result.purpose in manifest.purposes_by_id:
        return _all_anonymised(manifest, manifest.purpose(result.purpose).data)
    return _all_anonymised(manifest, data_behind(manifest, result.pointer))


def _all_anonymised(manifest: Manifest, data_ids: Iterable[str]) -> bool:
    items = [manifest.data_by_id.get(d) for d in data_ids]
    return bool(items) and all(item is not None and not item.is_personal for item in items)


def _segments(at: str) -> list[str]:
    return [unescape(s) for s in at.split("/")[1:]]


def _index(values: list[str], segment: str) -> str | None:
    return values[int(segment)] if segment.isdigit() and int(segment) < len(values) else None


def data_at(manifest: Manifest, at: str) -> DataItem | None:
    """The data item a pointer lands on or inside: `/data/<id>/…`, or an entry of a list of data ids."""
    segments = _segments(at)
    data_id: str | None = None
    match segments:
        case ["data", item_id, *_]:
            data_id = item_id
        case ["purposes", purpose_id, "data", index, *_] if purpose_id in manifest.purposes_by_id:
            data_id = _index(manifest.purpose(purpose_id).data, index)
        case ["purposes", purpose_id, "disclosure", "data", index, *_] if (
            purpose_id in manifest.purposes_by_id
        ):
            disclosure = manifest.purpose(purpose_id).disclosure
            data_id = _index(disclosure.data, index) if disclosure else None
        case ["onboarding", screen_id, "fields", index, *_] if index.isdigit():
            screen = next((s for s in manifest.onboarding if s.id == screen_id), None)
            data_id = _index([f.data for f in screen.fields], index) if screen else None
        case ["cross_border", transfer_id, "data", index, *_]:
            transfer = next((t for t in manifest.cross_border if t.id == transfer_id), None)
            data_id = _index(transfer.data, index) if transfer else None
    return manifest.data_by_id.get(data_id) if data_id is not None else None


def purpose_at(manifest: Manifest, at: str) -> Purpose | None:
    """The purpose a pointer lands on or inside (`/purposes/<id>/…`)."""
    match _segments(at):
        case ["purposes", purpose_id, *_]:
            return manifest.purposes_by_id.get(purpose_id)
    return None


def data_behind(manifest: Manifest, at: str) -> list[str]:
    """The data processed by the purpose, or sent by the transfer, or received by the recipient a pointer
    is inside; empty when it is inside none of them."""
    purpose = purpose_at(manifest, at)
    if purpose is not None:
        return purpose.data
    match _segments(at):
        case ["cross_border", transfer_id, *_]:
            return next((t.data for t in manifest.cross_border if t.id == transfer_id), [])
        case ["recipients", recipient_id, *_]:
            given = [d for p in manifest.purposes if recipient_id in p.recipients for d in p.data]
            sent = [d for t in manifest.cross_border if t.recipient == recipient_id for d in t.data]
            return given + sent
    return []
