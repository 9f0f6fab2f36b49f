"""Typed errors of the notice service (codes and zh/en text like `runtime.errors`)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class NoticeVersionConflict(ConsentgateError):
    """A version id is published once: new content must carry a new version id."""

    code = "runtime.notice_version_conflict"
