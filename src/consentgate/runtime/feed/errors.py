"""Typed errors of the feed (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError, SourceLocation
from consentgate.text import Text


class CatalogNotFound(ConsentgateError):
    """The content catalog file does not exist or cannot be read."""

    code = "feed.catalog_not_found"


class CatalogInvalid(ConsentgateError):
    """The catalog is not valid YAML or breaks its schema; every problem of the file is listed at once."""

    code = "feed.catalog_invalid"

    def __init__(self, problems: list[Text], *, location: SourceLocation | None = None) -> None:
        joined = Text(zh="\n".join(p.zh for p in problems), en="\n".join(p.en for p in problems))
        super().__init__(joined, location=location)
        self.problems = problems


class FeedMisconfigured(ConsentgateError):
    """The feed cannot run under this manifest and catalog (no personalization purpose, or a mismatch)."""

    code = "feed.misconfigured"


class NoNoticeForPurpose(ConsentgateError):
    """Turning personalization on needs a published notice the consent can rest on (PIPL 14, 17)."""

    code = "feed.no_notice"


class InvalidLimit(ConsentgateError):
    code = "feed.bad_limit"
