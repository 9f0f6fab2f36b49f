"""The registry of recipients: the manifest's recipients, each with the sink that reaches it.

Affiliated apps of the same group are recipients like any other third party (PIPL 23): the
registry holds them with kind `affiliate`, and the gate asks the same separate consent for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from consentgate.manifest.models import Manifest
from consentgate.manifest.references import hint
from consentgate.runtime.errors import UnknownRecipient
from consentgate.runtime.sharing.ports import ThirdPartySink
from consentgate.runtime.sharing.schemas import Recipient


class RecipientRegistry:
    """Recipients by id. One default sink, and optionally one per recipient."""

    def __init__(
        self,
        manifest: Manifest,
        *,
        sink: ThirdPartySink,
        sinks: Mapping[str, ThirdPartySink] | None = None,
    ) -> None:
        self._recipients = {
            r.id: Recipient(id=r.id, name=r.name, kind=r.kind, contact=r.contact) for r in manifest.recipients
        }
        overrides = dict(sinks or {})
        for recipient_id in overrides:
            self.get(recipient_id)  # a sink for a recipient the manifest does not know is a typo
        self._sinks = {rid: overrides.get(rid, sink) for rid in self._recipients}

    def get(self, recipient_id: str) -> Recipient:
        found = self._recipients.get(recipient_id)
        if found is None:
            raise UnknownRecipient.from_key(
                "runtime.unknown_recipient", recipient=recipient_id, hint=hint(recipient_id, self._recipients)
            )
        return found

    def sink(self, recipient_id: str) -> ThirdPartySink:
        self.get(recipient_id)
        return self._sinks[recipient_id]

    def __iter__(self) -> Iterator[Recipient]:
        return iter(self._recipients.values())

    def __len__(self) -> int:
        return len(self._recipients)
