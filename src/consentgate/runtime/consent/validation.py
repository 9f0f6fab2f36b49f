"""Whether a consent event may be recorded: its purpose, data and recipient are the policy's, and a
consent names a notice version it may still rest on.

Kept apart from the ledger so that the rules an event must meet read in one place, before any write.
"""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.manifest.references import hint
from consentgate.runtime.consent.schemas import EventKind, NewConsentEvent
from consentgate.runtime.errors import (
    NotConsentPurpose,
    StaleNotice,
    UnknownDataItem,
    UnknownNotice,
    UnknownPurpose,
    UnknownRecipient,
)
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy, PurposePolicy


def _listing(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "—"


class EventValidator:
    """Checks new events against one tenant's policy and its published notices."""

    def __init__(self, policy: Policy, notices: NoticeService) -> None:
        self._policy = policy
        self._notices = notices

    def validate(self, event: NewConsentEvent) -> None:
        """Raises the typed error for the first thing wrong with `event`; returns if nothing is."""
        purpose = self._purpose(event.purpose)
        for item in event.data:
            if item not in self._policy.data:
                raise UnknownDataItem.from_key(
                    "runtime.unknown_data",
                    data=item,
                    hint=hint(item, self._policy.data),
                    known=_listing(self._policy.data),
                )
            if item not in purpose.data:
                raise UnknownDataItem.from_key(
                    "runtime.data_outside_purpose",
                    data=item,
                    purpose=purpose.id,
                    known=_listing(purpose.data),
                )
        if event.recipient is not None:
            self._check_recipient(purpose, event.recipient)
        self._check_notice(purpose, event)

    def _purpose(self, purpose_id: str) -> PurposePolicy:
        purpose = self._policy.purposes.get(purpose_id)
        if purpose is None:
            raise UnknownPurpose.from_key(
                "runtime.unknown_purpose",
                purpose=purpose_id,
                hint=hint(purpose_id, self._policy.purposes),
                known=_listing(self._policy.purposes),
            )
        if not purpose.needs_consent:
            raise NotConsentPurpose.from_key("runtime.not_consent_purpose", purpose=purpose_id)
        return purpose

    def _check_recipient(self, purpose: PurposePolicy, recipient: str) -> None:
        if recipient not in self._policy.recipients:
            raise UnknownRecipient.from_key(
                "runtime.unknown_recipient",
                recipient=recipient,
                hint=hint(recipient, self._policy.recipients),
            )
        if recipient not in purpose.recipients:
            raise UnknownRecipient.from_key(
                "runtime.recipient_outside_purpose",
                recipient=recipient,
                purpose=purpose.id,
                known=_listing(purpose.recipients),
            )

    def _check_notice(self, purpose: PurposePolicy, event: NewConsentEvent) -> None:
        named = event.notice_id is not None or event.notice_version is not None
        if named and self._notices.find(event.notice_id or "", event.notice_version or "") is None:
            raise UnknownNotice.from_key(
                "runtime.unknown_notice", notice=event.notice_id or "—", version=event.notice_version or "—"
            )
        if event.kind is not EventKind.GIVEN:
            return
        if event.notice_id is None or event.notice_version is None:
            raise StaleNotice.from_key("runtime.notice_required", purpose=purpose.id)
        acceptable = self._notices.acceptable_versions().get(purpose.id, frozenset())
        if (event.notice_id, event.notice_version) not in acceptable:
            same_notice = [v for n, v in acceptable if n == event.notice_id]
            current = same_notice or [f"{n} {v}" for n, v in acceptable]
            raise StaleNotice.from_key(
                "runtime.stale_notice",
                version=event.notice_version,
                purpose=purpose.id,
                current=_listing(current),
            )
