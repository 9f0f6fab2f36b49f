"""Subjects' raw addresses read from the purpose-bound profile store, through the gate.

`ProfileStore.read(subject, purpose)` returns an attribute only when it was collected for that
purpose and the gate allows it now — so a phone number collected only for the basic function is
not a marketing address until the person has agreed to marketing on it (and its attribute lists
the marketing purpose).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from consentgate.manifest.models import Manifest, PurposeKind


class ProfileReader(Protocol):
    def read(self, subject: str, purpose: str) -> dict[str, Any]: ...


class ProfileDirectory:
    """`address_of(subject, channel)`: the channel's marketing purpose's data item, as the profile releases it."""

    def __init__(
        self, profiles: ProfileReader, manifest: Manifest, *, items: Mapping[str, str] | None = None
    ) -> None:
        self._profiles = profiles
        self._routes: dict[str, tuple[str, str]] = {}
        for purpose in manifest.purposes:
            if purpose.kind is not PurposeKind.MARKETING or purpose.channel is None or not purpose.data:
                continue
            channel = purpose.channel.value
            item = (items or {}).get(channel, purpose.data[0])
            self._routes.setdefault(channel, (purpose.id, item))

    def address_of(self, subject: str, channel: str) -> str | None:
        route = self._routes.get(channel)
        if route is None:
            return None
        purpose, item = route
        value = self._profiles.read(subject, purpose).get(item)
        return str(value) if value else None
