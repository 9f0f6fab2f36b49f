"""Typed errors of the privacy settings (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.runtime.feed.errors import NoNoticeForPurpose


class NoNoticeForSetting(NoNoticeForPurpose):
    """A switch turned on needs a published notice to rest on (PIPL 14, 17); as the feed's, so the
    service answers it the same way (409)."""

    code = "settings.no_notice"
