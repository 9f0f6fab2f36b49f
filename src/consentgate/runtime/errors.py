"""Typed runtime errors: each has a stable code and zh/en text (the CLI exits 2 with them)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError

# Defined in the store (which must not import the runtime), re-exported here under its old name.
from consentgate.store.errors import DatabaseNotReady as DatabaseNotReady


class UnknownSubject(ConsentgateError):
    code = "runtime.unknown_subject"


class UnknownPurpose(ConsentgateError):
    code = "runtime.unknown_purpose"


class UnknownDataItem(ConsentgateError):
    code = "runtime.unknown_data"


class UnknownRecipient(ConsentgateError):
    code = "runtime.unknown_recipient"


class UnknownNotice(ConsentgateError):
    code = "runtime.unknown_notice"


class StaleNotice(ConsentgateError):
    code = "runtime.stale_notice"


class TenantMismatch(ConsentgateError):
    code = "runtime.tenant_mismatch"


class NotConsentPurpose(ConsentgateError):
    code = "runtime.not_consent_purpose"


class StartupRefused(ConsentgateError):
    """The manifest fails high-severity rules: the runtime will not process data under it."""

    code = "runtime.startup_refused"


class DatabaseUnavailable(ConsentgateError):
    code = "runtime.database_unavailable"


class UnknownConsentEvent(ConsentgateError):
    code = "runtime.unknown_consent_event"
