"""Typed errors of the messaging service (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class UnknownChannel(ConsentgateError):
    """No marketing purpose of the manifest covers the channel: there is nothing it may be sent on."""

    code = "messaging.unknown_channel"


class UnknownCampaign(ConsentgateError):
    code = "messaging.unknown_campaign"


class CampaignConflict(ConsentgateError):
    """A campaign id reused for different content: the log must say what each id sent."""

    code = "messaging.campaign_conflict"


class UnknownUnsubscribeToken(ConsentgateError):
    code = "messaging.unknown_token"


class InvalidAddress(ConsentgateError):
    code = "messaging.invalid_address"


class WeakAddressSecret(ConsentgateError):
    """A short HMAC key would let anyone holding the table guess phone numbers back from their hashes."""

    code = "messaging.weak_secret"
