"""Privacy settings: switch a purpose (or one recipient of a sharing purpose) on or off, and see each switch.

On is a consent given in settings on the current notice version covering the purpose (the shared
lookup in `notices.current`, as the feed's switch uses); off is a withdrawal — as easy as giving
(PIPL 15). A purpose whose consent must be separate (sharing with a third party, PIPL 23; sensitive
data, PIPL 29) is switched on with a separate consent naming the one recipient: a dedicated switch
per recipient is exactly that. The ledger writes each event with its audit record in one
transaction and tells its listeners after the commit, so the gate obeys on the next call and the
sharing service tells a recipient whose data rested on a consent now withdrawn.

`choices` reads the state with the gate's own pure rules over the ledger's facts, so a switch shows
on exactly when the gate would release data for it (restriction aside, see `Choice`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

from consentgate.manifest.models import Manifest, PurposeKind
from consentgate.manifest.references import hint
from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    EventKind,
    Evidence,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import NotConsentPurpose, UnknownPurpose, UnknownRecipient
from consentgate.runtime.gate.rules import decide
from consentgate.runtime.notices.current import PublishedNotices, current_notice_for
from consentgate.runtime.policy import Policy, PurposePolicy
from consentgate.runtime.settings.errors import NoNoticeForSetting
from consentgate.runtime.settings.schemas import Choice

SETTINGS_SCREEN = "/me/privacy"
_NONE: frozenset[tuple[str, str]] = frozenset()


class Ledger(Protocol):
    """The part of `ConsentLedger` the settings need."""

    def facts(self, subject: str) -> SubjectFacts: ...
    def record(self, event: NewConsentEvent) -> ConsentEvent: ...


class Notices(PublishedNotices, Protocol):
    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]: ...


class PrivacySettings:
    """One tenant's privacy switches, over its ledger and notices."""

    def __init__(
        self,
        *,
        manifest: Manifest,
        policy: Policy,
        ledger: Ledger,
        notices: Notices,
        screen: str = SETTINGS_SCREEN,
    ) -> None:
        self._manifest = manifest
        self._policy = policy
        self._ledger = ledger
        self._notices = notices
        self._screen = screen

    @classmethod
    def of(cls, ctx: TenantContext, *, ledger: Ledger, notices: Notices) -> PrivacySettings:
        return cls(manifest=ctx.manifest, policy=ctx.policy, ledger=ledger, notices=notices)

    def choices(self, subject: str) -> list[Choice]:
        """Every purpose of the manifest in its order; a sharing purpose once per recipient."""
        facts = self._ledger.facts(subject)  # UnknownSubject for someone never registered
        acceptable = self._notices.acceptable_versions()
        return [
            self._choice(policy, facts, acceptable.get(policy.id, _NONE), recipient)
            for purpose in self._manifest.purposes
            for policy in [self._policy.purposes[purpose.id]]
            for recipient in _switches(policy)
        ]

    def set_purpose(
        self,
        subject: str,
        purpose: str,
        on: bool,
        recipient: str | None = None,
        *,
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ConsentEvent | None:
        """Gives (on) or withdraws (off) consent for the purpose, or for one recipient of a sharing
        purpose; None when the switch already stands that way. Off without a recipient withdraws the
        purpose for every recipient."""
        policy = self._consent_purpose(purpose)
        if recipient is not None and recipient not in policy.recipients:
            raise _outside(policy, recipient)
        if on and policy.separate_for_recipients and recipient is None:
            raise _outside(policy, "—")  # a sharing consent names its recipient (PIPL 23)
        facts = self._ledger.facts(subject)
        channel = self._channel(purpose)
        evidence = evidence if evidence.screen_id else replace(evidence, screen_id=self._screen)
        if not on:
            live = [
                fact
                for (fact_purpose, fact_recipient), fact in facts.items()
                if fact_purpose == purpose
                and (recipient is None or fact_recipient == recipient)
                and fact.status is EventKind.GIVEN
            ]
            if not live:
                return None
            return self._ledger.record(
                NewConsentEvent(
                    subject=subject,
                    purpose=purpose,
                    kind=EventKind.WITHDRAWN,
                    recipient=recipient,
                    mechanism=Mechanism.SETTINGS,
                    channel=channel,
                    evidence=evidence,
                )
            )
        needed = policy.data - policy.without_consent
        acceptable = self._notices.acceptable_versions().get(purpose, _NONE)
        fact = facts.get((purpose, recipient))
        covered = fact is not None and (not fact.data or needed <= set(fact.data))
        if covered and decide(policy, facts, frozenset(), recipient, acceptable).allowed:
            return None
        notice = current_notice_for(self._manifest, self._notices, purpose)
        if notice is None:
            raise NoNoticeForSetting.from_key("web.privacy_no_notice", purpose=purpose)
        return self._ledger.record(
            NewConsentEvent(
                subject=subject,
                purpose=purpose,
                kind=EventKind.GIVEN,
                data=tuple(sorted(needed)),
                recipient=recipient,
                notice_id=notice.notice_id,
                notice_version=notice.version,
                mechanism=Mechanism.SEPARATE if _separate(policy) else Mechanism.SETTINGS,
                channel=channel,
                evidence=evidence,
            )
        )

    # ------------------------------------------------------------------ helpers

    def _choice(
        self,
        policy: PurposePolicy,
        facts: SubjectFacts,
        acceptable: frozenset[tuple[str, str]],
        recipient: str | None,
    ) -> Choice:
        decision = decide(policy, facts, frozenset(), recipient, acceptable)
        fact = facts.get((policy.id, recipient))
        return Choice(
            purpose=policy.id,
            kind=policy.kind,
            recipient=recipient,
            optional=policy.needs_consent,
            on=decision.allowed,
            status=fact.status if fact is not None else None,
            reason=decision.reason_code,
            channel=self._channel(policy.id),
            data=tuple(self._manifest.purpose(policy.id).data),
        )

    def _consent_purpose(self, purpose: str) -> PurposePolicy:
        found = self._policy.purposes.get(purpose)
        if found is None:
            known = self._policy.purposes
            raise UnknownPurpose.from_key(
                "runtime.unknown_purpose",
                purpose=purpose,
                hint=hint(purpose, known),
                known=", ".join(sorted(known)),
            )
        if not found.needs_consent:
            raise NotConsentPurpose.from_key("runtime.not_consent_purpose", purpose=purpose)
        return found

    def _channel(self, purpose: str) -> str | None:
        declared = self._manifest.purpose(purpose)
        if declared.kind is PurposeKind.MARKETING and declared.channel is not None:
            return declared.channel.value
        return None


def _switches(policy: PurposePolicy) -> tuple[str | None, ...]:
    """One switch per recipient where the gate reads consent per recipient, else one for the purpose."""
    if policy.needs_consent and policy.separate_for_recipients:
        return tuple(sorted(policy.recipients))
    return (None,)


def _separate(policy: PurposePolicy) -> bool:
    """As onboarding asks: separate when the basis, a third-party recipient or sensitive data needs it."""
    return policy.basis.is_separate or policy.separate_for_recipients or bool(policy.separate_for_data)


def _outside(policy: PurposePolicy, recipient: str) -> UnknownRecipient:
    return UnknownRecipient.from_key(
        "runtime.recipient_outside_purpose",
        recipient=recipient,
        purpose=policy.id,
        known=", ".join(sorted(policy.recipients)) or "—",
    )
