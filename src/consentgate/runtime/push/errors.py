"""Typed push errors: each has a stable code and zh/en text; none is ever swallowed."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class UnknownCampaign(ConsentgateError):
    code = "push.unknown_campaign"


class CampaignConflict(ConsentgateError):
    """A campaign id reused for different content: resuming it would mix two campaigns."""

    code = "push.campaign_conflict"


class InvalidCampaign(ConsentgateError):
    code = "push.invalid_campaign"


class TransportFailed(ConsentgateError):
    """The transport could not deliver (refused, unreachable, non-2xx): retried, then recorded."""

    code = "push.transport_failed"


class TransportTimeout(TransportFailed):
    code = "push.transport_timeout"
