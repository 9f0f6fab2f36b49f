"""One delivery at send time: the push decided again now, and the transport called with retries.

A personalized push is rendered only if the gate still releases its data and the profile store still
holds it, so a withdrawal between plan and send yields the generic push. Every call of the transport
becomes an entry of the attempt log; failures are retried with exponential backoff, then the delivery
is closed as failed, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from consentgate.manifest.models import Manifest
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.push.campaigns import Prepared
from consentgate.runtime.push.errors import TransportFailed, TransportTimeout
from consentgate.runtime.push.explain import attribute_names, why
from consentgate.runtime.push.ports import DecisionGate, ProfileReader, PushTransport
from consentgate.runtime.push.repository import Finished, Pending
from consentgate.runtime.push.schemas import (
    Campaign,
    DeliveryStatus,
    Outcome,
    PushContent,
    PushMessage,
    Variant,
)
from consentgate.text import Text

# Reasons a delivery records beside the gate's own reason codes.
ATTRIBUTES_MISSING = "attributes-missing"
SUBJECT_GONE = "unknown-subject"


class Courier:
    """Builds and delivers the pushes of a batch; the push service commits what it reports."""

    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdFactory,
        manifest: Manifest,
        gate: DecisionGate,
        profiles: ProfileReader,
        transport: PushTransport,
        max_attempts: int,
        backoff: float,
        sleep: Callable[[float], None],
        settings_url: str,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._manifest = manifest
        self._gate = gate
        self._profiles = profiles
        self._transport = transport
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._sleep = sleep
        self._settings_url = settings_url

    def message(self, prepared: Prepared, item: Pending) -> tuple[PushMessage, str]:
        """The push for one subject, decided again now: personalized only if the gate still releases it."""
        purpose = prepared.purpose.id
        campaign = prepared.campaign
        settings = self._settings_url.format(purpose=purpose)
        if item.variant is Variant.PERSONALIZED:
            decision = self._gate.decide(item.subject, purpose, tuple(sorted(prepared.uses)))
            reason = decision.reason_code.value
            if decision.allowed:
                values = self._profiles.read(item.subject, purpose)
                if prepared.uses <= values.keys():
                    content = campaign.personalized.render(values)
                    explained = why(attribute_names(self._manifest, prepared.uses), settings)
                    return self._push(
                        campaign, item, Variant.PERSONALIZED, content, explained, settings
                    ), reason
                reason = ATTRIBUTES_MISSING
        else:
            reason = item.reason
        generic = self._push(campaign, item, Variant.GENERIC, campaign.generic, why(None, settings), settings)
        return generic, reason

    @staticmethod
    def _push(
        campaign: Campaign,
        item: Pending,
        variant: Variant,
        content: PushContent,
        explained: Text,
        settings: str,
    ) -> PushMessage:
        return PushMessage(
            key=f"{campaign.campaign_id}:{item.subject}",
            campaign_id=campaign.campaign_id,
            subject=item.subject,
            variant=variant,
            title=content.title,
            body=content.body,
            why=explained,
            settings_url=settings,
        )

    def deliver(
        self,
        item: Pending,
        message: PushMessage,
        reason: str,
        log: list[dict[str, Any]],
        finished: list[Finished],
    ) -> Finished:
        """Calls the transport up to `max_attempts` times, waiting `backoff`, 2×, 4× … between tries."""
        first = item.attempts + 1
        for number in range(first, first + self._max_attempts):
            at = self._clock.now()
            entry = {
                "attempt_id": self._ids.new_id(),
                "campaign_id": message.campaign_id,
                "subject": item.subject,
                "attempt": number,
                "variant": message.variant.value,
                "at": at,
                "receipt": None,
                "error": None,
            }
            try:
                receipt = self._transport.send(message)
            except TransportFailed as exc:
                outcome = Outcome.TIMEOUT if isinstance(exc, TransportTimeout) else Outcome.FAILED
                log.append({**entry, "outcome": outcome.value, "error": exc.text.en[:500]})
                if number < first + self._max_attempts - 1:
                    self._sleep(self._backoff * 2 ** (number - first))
                continue
            except BaseException as exc:  # not a delivery failure: record the attempt, stay pending
                log.append({**entry, "outcome": Outcome.FAILED.value, "error": f"interrupted: {exc!r}"[:500]})
                # Still pending (whether it left is unknown), but the attempt counts: numbering goes on.
                finished.append(self.closed(item, DeliveryStatus.PENDING, item.reason, number, None))
                raise
            log.append({**entry, "outcome": Outcome.DELIVERED.value, "receipt": receipt.reference})
            return self.closed(item, DeliveryStatus.SENT, reason, number, receipt.reference, message.variant)
        return self.closed(
            item, DeliveryStatus.FAILED, reason, first + self._max_attempts - 1, None, message.variant
        )

    def closed(
        self,
        item: Pending,
        status: DeliveryStatus,
        reason: str,
        attempts: int,
        receipt: str | None,
        variant: Variant | None = None,
    ) -> Finished:
        return Finished(
            subject=item.subject,
            variant=variant or item.variant,
            reason=reason,
            status=status,
            attempts=attempts or item.attempts,
            receipt=receipt,
            at=self._clock.now(),
        )
