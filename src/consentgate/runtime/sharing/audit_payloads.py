"""What the audit log keeps of sharing: ids, field names, statuses and reason codes, never a value.

No recipient pseudonym (`subject_ref`) either: it is an HMAC that anyone holding the tenant's key
recomputes from a subject id, so in the append-only log it would re-link a deleted person's records.
The audit log itself replaces `subject` with the person's erasable ref.
"""

from __future__ import annotations

from typing import Any

from consentgate.runtime.sharing.models import RecipientNotificationRow, TransferRow


def transfer_audit(row: TransferRow) -> dict[str, Any]:
    return {
        "transfer_id": row.transfer_id,
        "subject": row.subject,
        "recipient": row.recipient,
        "purpose": row.purpose,
        "requested": list(row.requested),
        "fields": list(row.fields),
        "withheld": dict(row.withheld),
        "missing": list(row.missing),
        "status": row.status,
        "reason": row.reason,
        "consent_event_id": row.consent_event_id,
    }


def delivery_audit(row: TransferRow) -> dict[str, Any]:
    return {
        "transfer_id": row.transfer_id,
        "recipient": row.recipient,
        "status": row.status,
        "fields": list(row.fields),
        "attempts": row.attempts,
        "receipt": row.receipt,
        "error": row.error,
    }


def notice_audit(row: RecipientNotificationRow, transfers: list[str]) -> dict[str, Any]:
    return {
        "notification_id": row.notification_id,
        "subject": row.subject,
        "recipient": row.recipient,
        "purpose": row.purpose,
        "reason": row.reason,
        "fields": list(row.fields),
        "transfers": sorted(transfers),
        "consent_event_id": row.consent_event_id,
    }


def notice_delivery_audit(row: RecipientNotificationRow) -> dict[str, Any]:
    return {
        "notification_id": row.notification_id,
        "recipient": row.recipient,
        "status": row.status,
        "attempts": row.attempts,
        "receipt": row.receipt,
        "error": row.error,
    }
