"""What an onboarding screen shows: the library's `ScreenView` dressed with the manifest's names.

The view decides nothing about the law (the runtime did: which fields are required, which boxes are
asked, which box keeps which answer); it only turns ids into words a person can read — purposes, data
items, recipients by their label, never an id — and picks the input type a browser needs (a password
is never echoed, a phone gets the phone keypad). The notice comes as its first layer (the summary
lines) with the complete published text one tap away, and only on the first screen that shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from consentgate.i18n import message
from consentgate.manifest import names
from consentgate.manifest.models import Manifest, PurposeKind, ScreenAction
from consentgate.manifest.names import data_name, label_text
from consentgate.runtime.engine import Engine
from consentgate.runtime.notice_text import summary
from consentgate.runtime.onboarding.schemas import ConsentBoxView, FieldView, NoticeRef, ScreenView
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
    kept: Text | None  # for an optional answer: only kept with the box ticked, or under an earlier consent


@dataclass(frozen=True)
class BoxShown:
    name: str  # the form field: the box's id
    dom_id: str
    purposes: Text
    recipients: Text | None  # names, for a box that shares data with others
    data: Text


@dataclass(frozen=True)
class NoticeShown:
    version: str
    summary: tuple[Text, ...]  # the first layer: shown first, before the buttons
    text: Text | None  # the complete published text the consent rests on, one tap away
    seen: bool  # already shown to this person on an earlier screen: a one-line link is enough


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
    can_browse: bool  # 「仅浏览」: refusing the notice leads to browse-only mode, not out of the app
    error: Text | None


def joined(parts: Iterable[Text]) -> Text:
    """A list in running text: 、 between Chinese items, a comma between English ones."""
    items = list(parts)
    return Text(zh="、".join(p.zh for p in items), en=", ".join(p.en for p in items))


def purpose_name(manifest: Manifest, purpose_id: str) -> Text:
    """The manifest's own label when it has one; else what the kind of purpose means (never its id)."""
    purpose = manifest.purposes_by_id.get(purpose_id)
    if purpose is None:
        return message("web.onboarding_kind_basic-function")
    return label_text(purpose.label) or message(f"web.onboarding_kind_{purpose.kind.value}")


def category_of(manifest: Manifest, data_id: str) -> str:
    item = manifest.data_by_id.get(data_id)
    return item.category if item is not None else ""


def dom_id(prefix: str, name: str) -> str:
    """An id safe in CSS selectors: a box id like `consent:a+b` becomes `box-consent-a-b`."""
    return f"{prefix}-{_NOT_ID.sub('-', name.lower()).strip('-')}"


def recipient_name(manifest: Manifest, recipient_id: str) -> Text:
    """A recipient as the notice names it to people: its label, else its name (never its id)."""
    recipient = manifest.recipients_by_id.get(recipient_id)
    if recipient is None:
        return message("web.onboarding_kind_sharing")
    return names.recipient_name(recipient)


def kept_hint(engine: Engine, view: FieldView, boxes: Mapping[str, ConsentBoxView]) -> Text | None:
    """Next to an optional field, in plain words: is the answer kept, and only with which tick?"""
    if view.required:
        return None
    manifest = engine.manifest
    if view.kept_only_with:
        purposes = dict.fromkeys(boxes[b].purpose for b in view.kept_only_with if b in boxes)
        return message(
            "web.onboarding_kept_only_with", purposes=joined(purpose_name(manifest, p) for p in purposes)
        )
    policies = engine.policy.purposes
    consented = [
        p for p in view.purposes if p in policies and view.data_id not in policies[p].without_consent
    ]
    if consented:
        return message(
            "web.onboarding_kept_as_given", purposes=joined(purpose_name(manifest, p) for p in consented)
        )
    return None


def shown_field(
    manifest: Manifest,
    view: FieldView,
    typed: Mapping[str, str],
    problems: Mapping[str, Text],
    kept: Text | None = None,
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
        kept=kept,
    )


def shown_box(manifest: Manifest, view: ConsentBoxView) -> BoxShown:
    """One box, one purpose, at most one recipient: the runtime never asks more in one tick."""
    data = dict.fromkeys(manifest.purpose(view.purpose).data)
    return BoxShown(
        name=view.box_id,
        dom_id=dom_id("box", view.box_id),
        purposes=purpose_name(manifest, view.purpose),
        recipients=recipient_name(manifest, view.recipient) if view.recipient else None,
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


def shown_notice(engine: Engine, ref: NoticeRef, *, seen: bool) -> NoticeShown:
    """The notice's first layer from the manifest, and the published version's complete text."""
    published = engine.notices.find(ref.notice_id, ref.version)
    declared = next((n for n in engine.manifest.notices if n.id == ref.notice_id), None)
    lines = summary(engine.manifest, declared).lines if declared is not None else ()
    return NoticeShown(ref.version, lines, published.text if published else None, seen)


def shown_screen(
    engine: Engine,
    view: ScreenView,
    *,
    typed: Mapping[str, str] | None = None,
    problems: Mapping[str, Text] | None = None,
    error: Text | None = None,
) -> ScreenShown:
    manifest = engine.manifest
    notice = shown_notice(engine, view.notice, seen=view.notice_seen) if view.notice else None
    by_id = {b.box_id: b for b in view.consent_boxes}
    boxes = [(is_sharing(manifest, b), shown_box(manifest, b)) for b in view.consent_boxes]
    return ScreenShown(
        screen_id=view.screen_id or "",
        heading=heading(view),
        notice=notice,
        fields=tuple(
            shown_field(manifest, f, typed or {}, problems or {}, kept_hint(engine, f, by_id))
            for f in view.fields
        ),
        boxes=tuple(box for sharing, box in boxes if not sharing),
        sharing_boxes=tuple(box for sharing, box in boxes if sharing),
        agree=ScreenAction.AGREE in view.actions,
        can_skip=ScreenAction.SKIP in view.actions,
        can_refuse=ScreenAction.REFUSE in view.actions,
        can_exit=ScreenAction.EXIT in view.actions,
        can_browse=ScreenAction.BROWSE in view.actions,
        error=error,
    )
