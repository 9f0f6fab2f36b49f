"""Which notice version a consent given in settings rests on: one lookup for every switch.

A consent given outside onboarding (the feed's switch, a toggle in the privacy center) was not shown
a notice on a screen, so it rests on what the person can read now: the newest published version of a
notice that covers the purpose (PIPL 14, 17). That version is always acceptable for the purpose, since
no later version of the same notice exists to make it stale.
"""

from __future__ import annotations

from typing import Protocol

from consentgate.manifest.models import Manifest
from consentgate.runtime.notice_text import covered_purposes
from consentgate.runtime.notices.schemas import NoticeVersion


class PublishedNotices(Protocol):
    """The part of `NoticeService` the lookup needs."""

    def current(self, notice_id: str) -> NoticeVersion | None: ...


def current_notice_for(manifest: Manifest, notices: PublishedNotices, purpose: str) -> NoticeVersion | None:
    """The newest published version of a notice covering `purpose`, or None when none was published."""
    candidates = [
        current
        for notice in manifest.notices
        if purpose in covered_purposes(manifest, notice)
        for current in [notices.current(notice.id)]
        if current is not None and purpose in current.purposes
    ]
    return max(candidates, key=lambda version: version.seq, default=None)
