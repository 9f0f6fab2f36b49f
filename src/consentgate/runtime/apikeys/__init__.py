"""API keys: who calls the HTTP service, for which tenant, and what they may do."""

from consentgate.runtime.apikeys.errors import (
    BadKeyName,
    BadTenant,
    InvalidApiKey,
    MalformedApiKey,
    NoScopes,
    RevokedApiKey,
    UnknownApiKey,
    UnknownScope,
)
from consentgate.runtime.apikeys.schemas import IssuedKey, KeyInfo, Principal, Scope, parse_scopes
from consentgate.runtime.apikeys.service import CACHE_TTL, TOUCH_INTERVAL, ApiKeyService

__all__ = [
    "CACHE_TTL",
    "TOUCH_INTERVAL",
    "ApiKeyService",
    "BadKeyName",
    "BadTenant",
    "InvalidApiKey",
    "IssuedKey",
    "KeyInfo",
    "MalformedApiKey",
    "NoScopes",
    "Principal",
    "RevokedApiKey",
    "Scope",
    "UnknownApiKey",
    "UnknownScope",
    "parse_scopes",
]
