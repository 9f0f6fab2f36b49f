"""What onboarding hands to the app: the screen to show now, never rows or manifest objects."""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.manifest.models import ScreenAction
from consentgate.text import Text


@dataclass(frozen=True)
class NoticeRef:
    """The notice version shown on a screen: consents given there rest on exactly this version."""

    notice_id: str
    version: str


@dataclass(frozen=True)
class FieldView:
    data_id: str
    label: Text
    # Required only when the law lists the item as necessary PI for the app type's basic function.
    required: bool
    purposes: tuple[str, ...]
    actions: tuple[ScreenAction, ...]
    # The boxes on this screen one of which must be ticked for an answer to be kept; empty when an
    # answer is kept as typed (necessary data, or a consent for its purpose is already live).
    kept_only_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentBoxView:
    """One tick box: one purpose, and one recipient where sharing needs separate consent. Never pre-ticked.

    `purposes` and `recipients` always hold at most one id each; they stay tuples for the API's shape.
    """

    box_id: str
    purposes: tuple[str, ...]
    recipients: tuple[str, ...]
    pre_ticked: bool = False

    @property
    def purpose(self) -> str:
        return self.purposes[0]

    @property
    def recipient(self) -> str | None:
        return self.recipients[0] if self.recipients else None


@dataclass(frozen=True)
class ScreenView:
    """The next screen, with only its open questions; `is_home` when nothing is left to ask."""

    screen_id: str | None
    is_home: bool
    title: Text | None = None
    notice: NoticeRef | None = None
    fields: tuple[FieldView, ...] = ()
    consent_boxes: tuple[ConsentBoxView, ...] = ()
    actions: tuple[ScreenAction, ...] = ()
    blocks_home: bool = False
    # The person already passed a screen showing this notice: show a link to it, not the whole text.
    notice_seen: bool = False

    @classmethod
    def home(cls) -> ScreenView:
        return cls(screen_id=None, is_home=True)


@dataclass(frozen=True)
class BrowseMode:
    """Browse-only mode (「仅浏览」): the notice was not agreed, so there is no account and nothing is kept.

    `agree_screen_id` is the notice screen to come back to when the person agrees later; from there
    onboarding goes on as usual.
    """

    agree_screen_id: str
    notice: NoticeRef | None
