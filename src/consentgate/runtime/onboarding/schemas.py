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


@dataclass(frozen=True)
class ConsentBoxView:
    """A consent question for purposes without a field (e.g. marketing, sharing). Never pre-ticked."""

    box_id: str
    purposes: tuple[str, ...]
    recipients: tuple[str, ...]
    pre_ticked: bool = False


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

    @classmethod
    def home(cls) -> ScreenView:
        return cls(screen_id=None, is_home=True)
