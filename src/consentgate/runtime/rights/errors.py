"""Typed errors of the rights service (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class UnknownRightsRequest(ConsentgateError):
    code = "runtime.unknown_rights_request"


class UnknownRightsKind(ConsentgateError):
    code = "runtime.unknown_rights_kind"


class IllegalRightsTransition(ConsentgateError):
    """A lifecycle step out of order (e.g. completing a request whose identity was never verified)."""

    code = "runtime.rights_illegal_transition"


class UnknownRefusalReason(ConsentgateError):
    code = "runtime.unknown_refusal_reason"


class RefusalNotApplicable(ConsentgateError):
    """A refusal reason the law allows for other requests only (e.g. 'accurate' for a deletion)."""

    code = "runtime.rights_refusal_not_applicable"
