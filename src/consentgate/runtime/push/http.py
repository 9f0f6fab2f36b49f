"""A webhook transport: POSTs each push as JSON to the app's own push gateway, with httpx.

A 2xx answer is a delivery; anything else — a non-2xx status, a refused connection, a timeout — is
a `TransportFailed` (or `TransportTimeout`) that the service retries and then records. Each request
carries the message key as `Idempotency-Key`, so a gateway can drop a repeat after a crash.
"""

from __future__ import annotations

from types import TracebackType

import httpx

from consentgate.runtime.push.errors import TransportFailed, TransportTimeout
from consentgate.runtime.push.schemas import DeliveryReceipt, PushMessage


class WebhookTransport:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        headers: dict[str, str] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout), headers=headers)

    def send(self, message: PushMessage) -> DeliveryReceipt:
        try:
            response = self._client.post(
                self._url, json=message.document(), headers={"Idempotency-Key": message.key}
            )
        except httpx.TimeoutException as exc:
            raise TransportTimeout.from_key(
                "push.transport_timeout", subject=message.subject, seconds=self._timeout
            ) from exc
        except httpx.HTTPError as exc:
            raise TransportFailed.from_key(
                "push.transport_failed", subject=message.subject, problem=f"{type(exc).__name__}: {exc}"
            ) from exc
        if not response.is_success:
            raise TransportFailed.from_key(
                "push.transport_failed",
                subject=message.subject,
                problem=f"HTTP {response.status_code} from {self._url}",
            )
        return DeliveryReceipt(key=message.key, reference=response.headers.get("x-push-id"))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
