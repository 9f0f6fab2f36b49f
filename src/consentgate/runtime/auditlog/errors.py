"""The audit log's typed errors: the gate turns them into a denial, never into an unrecorded release."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class DecisionNotRecorded(ConsentgateError):
    """A released-data decision could not be buffered: the buffer stayed full, or the log is closed.

    Raised by `AuditLog.record_decision`; the gate answers with a denial instead (a release nobody
    can prove afterwards must not happen).
    """

    code = "auditlog.decision_not_recorded"
