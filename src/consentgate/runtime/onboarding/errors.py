"""Typed errors of onboarding (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class UnknownScreen(ConsentgateError):
    code = "runtime.unknown_screen"


class RequiredFieldMissing(ConsentgateError):
    """A necessary field (by law, not by the manifest's flag) was left empty."""

    code = "runtime.required_missing"


class NoBrowseMode(UnknownScreen):
    """The manifest has no screen that only shows the notice, so there is nothing to come back to."""

    code = "runtime.no_browse_mode"
