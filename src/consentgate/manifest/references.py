"""Checks that everything a manifest refers to exists: app type, categories, ids of data and more."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.law.models import OTHER_APP_TYPE
from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.text import Text


@dataclass(frozen=True)
class ReferenceProblem:
    """A dangling reference: message key, where it is, and the values for the message."""

    key: str
    pointer: str
    values: dict[str, Any] = field(default_factory=dict)


def hint(value: str, choices: Iterable[str]) -> Text:
    """A bilingual "did you mean" suffix, empty when nothing is close."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return message("error.did_you_mean", suggestion=matches[0]) if matches else Text(zh="", en="")


_KINDS = {
    "data": Text(zh="数据项", en="data item"),
    "purposes": Text(zh="处理目的", en="purpose"),
    "recipients": Text(zh="接收方", en="recipient"),
    "notices": Text(zh="告知文本", en="notice"),
    "screens": Text(zh="界面", en="onboarding screen"),
}


Segments = tuple[str | int, ...]


def _refs(manifest: Manifest) -> Iterator[tuple[str, str, Segments]]:
    """(kind, referenced id, pointer segments of the reference) for every reference in the manifest.

    Segments, not pointers: nearly every reference resolves, so the pointer is built only for the few
    that do not (this runs on every manifest of a batch audit).
    """
    for item in manifest.data:
        for i, source in enumerate(item.derived_from):
            yield "data", source, ("data", item.id, "derived_from", i)
    for purpose in manifest.purposes:
        for i, data_id in enumerate(purpose.data):
            yield "data", data_id, ("purposes", purpose.id, "data", i)
        for i, recipient in enumerate(purpose.recipients):
            yield "recipients", recipient, ("purposes", purpose.id, "recipients", i)
        for i, data_id in enumerate(purpose.disclosure.data if purpose.disclosure else ()):
            yield "data", data_id, ("purposes", purpose.id, "disclosure", "data", i)
    for notice in manifest.notices:
        for i, purpose_id in enumerate(notice.purposes):
            yield "purposes", purpose_id, ("notices", notice.id, "purposes", i)
    for screen in manifest.onboarding:
        if screen.notice is not None:
            yield "notices", screen.notice, ("onboarding", screen.id, "notice")
        for i, screen_field in enumerate(screen.fields):
            yield "data", screen_field.data, ("onboarding", screen.id, "fields", i, "data")
            for j, purpose_id in enumerate(screen_field.purposes):
                yield "purposes", purpose_id, ("onboarding", screen.id, "fields", i, "purposes", j)
        for i, box in enumerate(screen.consent_boxes):
            for j, purpose_id in enumerate(box.purposes):
                yield "purposes", purpose_id, ("onboarding", screen.id, "consent_boxes", i, "purposes", j)
            for j, recipient in enumerate(box.recipients):
                yield "recipients", recipient, ("onboarding", screen.id, "consent_boxes", i, "recipients", j)
    for transfer in manifest.cross_border:
        yield "recipients", transfer.recipient, ("cross_border", transfer.id, "recipient")
        for i, data_id in enumerate(transfer.data):
            yield "data", data_id, ("cross_border", transfer.id, "data", i)
    if manifest.conduct is not None:
        yield from manifest.conduct.references()


def check_references(manifest: Manifest) -> list[ReferenceProblem]:
    catalog = load_catalog()
    problems = list(_app_type_problems(manifest))
    for item in manifest.data:
        if item.category not in catalog.categories:
            problems.append(
                ReferenceProblem(
                    "error.unknown_category",
                    pointer("data", item.id, "category"),
                    {"value": item.category, "hint": hint(item.category, catalog.categories)},
                )
            )
    ids = {
        "data": {d.id for d in manifest.data},
        "purposes": {p.id for p in manifest.purposes},
        "recipients": {r.id for r in manifest.recipients},
        "notices": {n.id for n in manifest.notices},
        "screens": {s.id for s in manifest.onboarding},
    }
    for kind, ref, segments in _refs(manifest):
        if ref not in ids[kind]:
            problems.append(
                ReferenceProblem(
                    "error.undefined_reference",
                    pointer(*segments),
                    {"value": ref, "kind": _KINDS[kind], "hint": hint(ref, ids[kind])},
                )
            )
    problems.extend(_box_recipients_outside_purposes(manifest, ids["purposes"]))
    problems.extend(_disclosed_data_outside_purpose(manifest, ids["data"]))
    return problems


def _app_type_problems(manifest: Manifest) -> Iterator[ReferenceProblem]:
    """The type is one of the 39 or `other`; only `other` states its own basic service and necessary data.

    A service outside the 39 types has no necessary-PI list in the law, so without the statement of what
    its basic service is nothing could be judged necessary; for the 39 types the law fixes both, and an
    operator's own list beside it would only look as if it widened them.
    """
    catalog = load_catalog()
    app = manifest.app
    if not catalog.knows_app_type(app.type):
        yield ReferenceProblem(
            "error.unknown_app_type",
            pointer("app", "type"),
            {"value": app.type, "hint": hint(app.type, catalog.app_type_slugs())},
        )
        return
    if app.type != OTHER_APP_TYPE:
        for name, value in (("basic_service", app.basic_service), ("necessary_data", app.necessary_data)):
            if value is not None:
                yield ReferenceProblem(
                    "error.statement_only_for_other", pointer("app", name), {"field": name}
                )
        return
    if app.basic_service is None or not (app.basic_service.zh or app.basic_service.en):
        yield ReferenceProblem("error.other_needs_basic_service", pointer("app", "type"))
    for i, category in enumerate(app.necessary_data or ()):
        if category not in catalog.categories:
            yield ReferenceProblem(
                "error.unknown_category",
                pointer("app", "necessary_data", i),
                {"value": category, "hint": hint(category, catalog.categories)},
            )


def _disclosed_data_outside_purpose(manifest: Manifest, data_ids: set[str]) -> Iterator[ReferenceProblem]:
    """Data a purpose shows to others must be data it processes, or its basis says nothing about showing it."""
    for purpose in manifest.purposes:
        for i, data_id in enumerate(purpose.disclosure.data if purpose.disclosure else ()):
            if data_id in purpose.data or data_id not in data_ids:
                continue  # an undefined data item is already reported as undefined
            yield ReferenceProblem(
                "error.disclosure_data_outside_purpose",
                pointer("purposes", purpose.id, "disclosure", "data", i),
                {"value": data_id, "purpose": purpose.id},
            )


def _box_recipients_outside_purposes(manifest: Manifest, purpose_ids: set[str]) -> Iterator[ReferenceProblem]:
    """A box's recipient must receive data under one of the box's purposes, or the tick consents to nothing."""
    for screen in manifest.onboarding:
        for i, box in enumerate(screen.consent_boxes):
            receiving = {r for p in box.purposes if p in purpose_ids for r in manifest.purpose(p).recipients}
            for j, recipient in enumerate(box.recipients):
                if recipient in receiving or recipient not in manifest.recipients_by_id:
                    continue  # an undefined recipient is already reported as undefined
                yield ReferenceProblem(
                    "error.box_recipient_outside_purposes",
                    pointer("onboarding", screen.id, "consent_boxes", i, "recipients", j),
                    {"value": recipient, "purposes": ", ".join(box.purposes)},
                )
