"""What an onboarding screen shows: the library's `ScreenView` dressed with the manifest's names.

The view decides nothing about the law (the runtime did: which fields are required, which boxes are
asked); it only turns ids into words a person can read — purposes, data items, recipients by name —
and picks the input type a browser needs (a password is never echoed, a phone gets the phone keypad).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import Manifest, PurposeKind, ScreenAction
from consentgate.runtime.engine import Engine
from consentgate.runtime.onboarding.schemas import ConsentBoxView, FieldView, ScreenView
from consentgate.text import Text

SECRET_CATEGORIES = frozenset({"account.credentials"})
# Category -> (input type, autocomplete token): what lets a phone show its keypad and a manager fill in.
INPUTS = {
    "contact.phone": ("tel", "tel"),
    "contact.email": ("email", "email"),
    "account.credentials": ("password", "new-password"),
    "identity.name": ("text", "name"),
}
_NOT_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class FieldShown:
    name: str  # the form field: the data item's id
    dom_id: str
    label: Text
    required: bool
    purposes: Text
    input_type: str
    autocomplete: str
    value: str  # what the person typed before an error (never a secret)
    problem: Text | None  # why this field was sent back


@dataclass(frozen=True)
class BoxShown:
    name: str  # the form field: the box's id
    dom_id: str
    purposes: Text
    recipients: Text | None  # names, for a box that shares data with others
    data: Text


@dataclass(frozen=True)
class NoticeShown:
    notice_id: str
    version: str
    text: Text | None


@dataclass(frozen=True)
class ScreenShown:
    screen_id: str
    heading: Text
    notice: NoticeShown | None
    fields: tuple[FieldShown, ...]
    boxes: tuple[BoxShown, ...]
    sharing_boxes: tuple[BoxShown, ...]  # in a fieldset of their own: separate consent (PIPL 23)
    agree: bool  # the main button says "agree and continue" rather than "continue"
    can_skip: bool
    can_refuse: bool
    can_exit: bool
    error: Text | None


def joined(parts: Iterable[Text]) -> Text:
    """A list in running text: 、 between Chinese items, a comma between English ones."""
    items = list(parts)
    return Text(zh="、".join(p.zh for p in items), en=", ".join(p.en for p in items))


def purpose_name(manifest: Manifest, purpose_id: str) -> Text:
    """The manifest's own label when it has one; else what the kind of purpose means (never its id)."""
    purpose = manifest.purposes_by_id.get(purpose_id)
    if purpose is None:
        return Text(zh=purpose_id, en=purpose_id)
    if purpose.label is not None and (purpose.label.zh or purpose.label.en):
        zh = purpose.label.zh or purpose.label.en or purpose_id
        return Text(zh=zh, en=purpose.label.en or zh)
    return message(f"web.onboarding_kind_{purpose.kind.value}")


def data_name(manifest: Manifest, data_id: str) -> Text:
    item = manifest.data_by_id.get(data_id)
    if item is None:
        return Text(zh=data_id, en=data_id)
    if item.label is not None and (item.label.zh or item.label.en):
        zh = item.label.zh or item.label.en or data_id
        return Text(zh=zh, en=item.label.en or zh)
    category = load_catalog().categories.get(item.category)
    return category.label if category is not None else Text(zh=data_id, en=data_id)


def category_of(manifest: Manifest, data_id: str) -> str:
    item = manifest.data_by_id.get(data_id)
    return item.category if item is not None else ""


def dom_id(prefix: str, name: str) -> str:
    """An id safe in CSS selectors: a box id like `consent:a+b` becomes `box-consent-a-b`."""
    return f"{prefix}-{_NOT_ID.sub('-', name.lower()).strip('-')}"


def shown_field(
    manifest: Manifest, view: FieldView, typed: Mapping[str, str], problems: Mapping[str, Text]
) -> FieldShown:
    category = category_of(manifest, view.data_id)
    input_type, autocomplete = INPUTS.get(category, ("text", ""))
    secret = category in SECRET_CATEGORIES
    return FieldShown(
        name=view.data_id,
        dom_id=dom_id("field", view.data_id),
        label=view.label,
        required=view.required,
        purposes=joined(purpose_name(manifest, p) for p in view.purposes),
        input_type=input_type,
        autocomplete=autocomplete,
        value="" if secret else typed.get(view.data_id, ""),
        problem=problems.get(view.data_id),
    )


def shown_box(manifest: Manifest, view: ConsentBoxView) -> BoxShown:
    recipient_ids = list(view.recipients) or [
        r for p in view.purposes for r in manifest.purpose(p).recipients
    ]
    names = {r.id: r.name for r in manifest.recipients}  # a recipient is named as the notice names it
    data = dict.fromkeys(d for p in view.purposes for d in manifest.purpose(p).data)
    return BoxShown(
        name=view.box_id,
        dom_id=dom_id("box", view.box_id),
        purposes=joined(purpose_name(manifest, p) for p in view.purposes),
        recipients=joined(Text(zh=names.get(r, r), en=names.get(r, r)) for r in dict.fromkeys(recipient_ids))
        if recipient_ids
        else None,
        data=joined(data_name(manifest, d) for d in data),
    )


def is_sharing(manifest: Manifest, view: ConsentBoxView) -> bool:
    return bool(view.recipients) or any(
        manifest.purpose(p).kind is PurposeKind.SHARING for p in view.purposes
    )


def heading(view: ScreenView) -> Text:
    """The screen's own title, else one that says what the screen asks."""
    if view.title is not None:
        return view.title
    if any(f.required for f in view.fields):
        return message("web.onboarding_title_account")
    if view.fields:
        return message("web.onboarding_title_questions")
    if view.consent_boxes:
        return message("web.onboarding_title_choices")
    return message("web.onboarding_title_notice")


def shown_screen(
    engine: Engine,
    view: ScreenView,
    *,
    typed: Mapping[str, str] | None = None,
    problems: Mapping[str, Text] | None = None,
    error: Text | None = None,
) -> ScreenShown:
    manifest = engine.manifest
    notice = None
    if view.notice is not None:
        published = engine.notices.find(view.notice.notice_id, view.notice.version)
        notice = NoticeShown(
            view.notice.notice_id, view.notice.version, published.text if published else None
        )
    boxes = [(is_sharing(manifest, b), shown_box(manifest, b)) for b in view.consent_boxes]
    return ScreenShown(
        screen_id=view.screen_id or "",
        heading=heading(view),
        notice=notice,
        fields=tuple(shown_field(manifest, f, typed or {}, problems or {}) for f in view.fields),
        boxes=tuple(box for sharing, box in boxes if not sharing),
        sharing_boxes=tuple(box for sharing, box in boxes if sharing),
        agree=ScreenAction.AGREE in view.actions,
        can_skip=ScreenAction.SKIP in view.actions,
        can_refuse=ScreenAction.REFUSE in view.actions,
        can_exit=ScreenAction.EXIT in view.actions,
        error=error,
    )
