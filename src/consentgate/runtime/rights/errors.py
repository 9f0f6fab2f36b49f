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


class NoFulfilment(ConsentgateError):
    code = "runtime.rights_no_fulfilment"


class BadRightsDetails(ConsentgateError):
    """A request missing what carrying it out needs (a correction without the new value)."""

    code = "runtime.rights_bad_details"


class NoExport(ConsentgateError):
    code = "runtime.rights_no_export"


class NoCertificate(ConsentgateError):
    code = "runtime.rights_no_certificate"
