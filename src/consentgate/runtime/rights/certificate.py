"""The deletion certificate: what was erased, when, and who was told — never the data itself.

It names the person only by their former ref. Once the erasure commits nothing in the store maps that
ref to anyone; the person holds the certificate, so only they can show that the surviving proofs
(consent events, audit records under the same ref) were about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from consentgate.i18n import message
from consentgate.runtime.rights.models import DeletionCertificateRow
from consentgate.runtime.rights.repository import aware
from consentgate.text import Text


@dataclass(frozen=True)
class Kept:
    """Something that survives the erasure, why, and the law that allows keeping it."""

    what: str
    why: Text
    citations: tuple[str, ...]


# What an erasure keeps, each for a reason the law accepts (PIPL 47 para 2: what must be kept is
# kept, and nothing but storage happens to it). None of it holds the person's id or values.
KEPT: tuple[Kept, ...] = tuple(
    Kept(what, message(f"rights.kept.{what}"), ("PIPL-47",))
    for what in ("consent_events", "audit_records", "rights_requests", "recipient_notifications")
)


@dataclass(frozen=True)
class RecipientTold:
    recipient: str
    purpose: str
    notification_id: str
    status: str


@dataclass(frozen=True)
class DeletionCertificate:
    certificate_id: str
    request_id: str
    subject_ref: str
    kind: str
    received_at: datetime
    erased_at: datetime
    erased: Mapping[str, int]  # table -> rows removed (and rows kept under the ref, as "<table> (kept)")
    recipients_notified: tuple[RecipientTold, ...]
    kept: tuple[Kept, ...]

    def as_document(self) -> dict[str, Any]:
        """The certificate as JSON, to hand to the person (and for the operator console)."""
        return {
            "certificate_id": self.certificate_id,
            "request_id": self.request_id,
            "subject_ref": self.subject_ref,
            "kind": self.kind,
            "received_at": self.received_at.isoformat(),
            "erased_at": self.erased_at.isoformat(),
            "erased": dict(self.erased),
            "recipients_notified": [vars(told) for told in self.recipients_notified],
            "kept": [_kept_document(kept) for kept in self.kept],
        }


def _kept_document(kept: Kept) -> dict[str, Any]:
    return {
        "what": kept.what,
        "why": {"zh": kept.why.zh, "en": kept.why.en},
        "citations": list(kept.citations),
    }


def to_row(certificate: DeletionCertificate, *, tenant: str) -> DeletionCertificateRow:
    document = certificate.as_document()
    return DeletionCertificateRow(
        tenant_id=tenant,
        certificate_id=certificate.certificate_id,
        request_id=certificate.request_id,
        subject_ref=certificate.subject_ref,
        kind=certificate.kind,
        received_at=certificate.received_at,
        erased_at=certificate.erased_at,
        erased=document["erased"],
        recipients_notified=document["recipients_notified"],
        kept=document["kept"],
    )


def to_certificate(row: DeletionCertificateRow) -> DeletionCertificate:
    return DeletionCertificate(
        certificate_id=row.certificate_id,
        request_id=row.request_id,
        subject_ref=row.subject_ref,
        kind=row.kind,
        received_at=aware(row.received_at),
        erased_at=aware(row.erased_at),
        erased=MappingProxyType(dict(row.erased)),
        recipients_notified=tuple(RecipientTold(**told) for told in row.recipients_notified),
        kept=tuple(Kept(kept["what"], Text(**kept["why"]), tuple(kept["citations"])) for kept in row.kept),
    )
