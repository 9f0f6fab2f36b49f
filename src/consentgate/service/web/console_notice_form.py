"""The "publish a new notice version" form: what it offers, what it starts from, what it accepts.

It starts from the notice's current version (the operator edits rather than retypes) and offers only
what the manifest defines: a notice can describe only purposes, data and recipients that exist, so a
typo or a forged form cannot publish a notice about nothing. Mistakes come back as catalog keys for
the page to show next to the form, never as an error page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import FormData

from consentgate.manifest.models import Manifest
from consentgate.runtime.notices.schemas import NoticeVersion

MAX_VERSION = 80  # the column's width
MAX_TEXT = 50_000


@dataclass(frozen=True)
class Choices:
    """What the form offers: every notice, purpose, data item and recipient the manifest names."""

    notices: tuple[str, ...]
    purposes: tuple[str, ...]
    data: tuple[str, ...]
    recipients: tuple[str, ...]

    @classmethod
    def of(cls, manifest: Manifest, published: Iterable[str] = ()) -> Choices:
        notices = dict.fromkeys([*(n.id for n in manifest.notices), *published])
        return cls(
            notices=tuple(notices),
            purposes=tuple(p.id for p in manifest.purposes),
            data=tuple(d.id for d in manifest.data),
            recipients=tuple(r.id for r in manifest.recipients),
        )


@dataclass(frozen=True)
class NoticeDraft:
    notice_id: str
    version: str
    text_zh: str
    text_en: str
    purposes: frozenset[str]
    data: frozenset[str]
    recipients: frozenset[str]


def starting_from(notice_id: str, current: NoticeVersion | None) -> NoticeDraft:
    """The form filled in with the current version's content, and a blank version id (it must be new)."""
    if current is None:
        return NoticeDraft(notice_id, "", "", "", frozenset(), frozenset(), frozenset())
    return NoticeDraft(
        notice_id=notice_id,
        version="",
        text_zh=current.text.zh,
        text_en=current.text.en,
        purposes=current.purposes,
        data=current.data,
        recipients=current.recipients,
    )


def read_draft(form: FormData, choices: Choices) -> tuple[NoticeDraft, list[str]]:
    """The submitted draft, and the catalog keys of what is wrong with it (empty: ready to publish)."""
    draft = NoticeDraft(
        notice_id=_field(form, "notice_id"),
        version=_field(form, "version"),
        text_zh=_field(form, "text_zh"),
        text_en=_field(form, "text_en"),
        purposes=_picked(form, "purposes"),
        data=_picked(form, "data"),
        recipients=_picked(form, "recipients"),
    )
    problems: list[str] = []
    if draft.notice_id not in choices.notices:
        problems.append("web.console_notice_unknown")
    if not draft.version:
        problems.append("web.console_notice_version_missing")
    elif len(draft.version) > MAX_VERSION:
        problems.append("web.console_notice_version_too_long")
    if not draft.text_zh or not draft.text_en:
        problems.append("web.console_notice_text_missing")
    elif max(len(draft.text_zh), len(draft.text_en)) > MAX_TEXT:
        problems.append("web.console_notice_text_too_long")
    if not draft.purposes:
        problems.append("web.console_notice_purposes_missing")
    offered = (
        (draft.purposes, choices.purposes),
        (draft.data, choices.data),
        (draft.recipients, choices.recipients),
    )
    if any(not picked <= frozenset(allowed) for picked, allowed in offered):
        problems.append("web.console_notice_unknown_choice")
    return draft, problems


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _picked(form: FormData, name: str) -> frozenset[str]:
    return frozenset(value for value in form.getlist(name) if isinstance(value, str))
