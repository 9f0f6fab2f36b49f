"""The httpx webhook transport against a real HTTP server on 127.0.0.1 (no mocking library)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock
from consentgate.runtime.push.errors import TransportFailed, TransportTimeout
from consentgate.runtime.push.http import WebhookTransport
from consentgate.runtime.push.schemas import DeliveryStatus, Outcome, PushMessage, Variant
from consentgate.text import Text

from .conftest import CAMPAIGN, PEOPLE, make_push, seed_people


class Gateway(ThreadingHTTPServer):
    """A push gateway stand-in: answers with the statuses queued in `replies` (then 202), records bodies."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: list[int] = []
        self.delay = 0.0
        self.received: list[tuple[dict[str, Any], str | None]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/push"


class _Handler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.delay:
            time.sleep(self.server.delay)
        status = self.server.replies.pop(0) if self.server.replies else 202
        if status < 300:
            self.server.received.append((body, self.headers.get("Idempotency-Key")))
        self.send_response(status)
        self.send_header("x-push-id", f"gw-{len(self.server.received)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


MESSAGE = PushMessage(
    key="week-12-lessons:u01",
    campaign_id="week-12-lessons",
    subject="u01",
    variant=Variant.GENERIC,
    title=Text(zh="本周热门课程", en="This week's popular lessons"),
    body=Text(zh="看看大家都在学什么", en="See what everyone is learning"),
    why=Text(zh="未个性化推荐", en="Not personalized"),
    settings_url="app://settings/privacy",
)


def test_a_2xx_answer_is_a_delivery_with_the_gateway_reference(gateway: Gateway) -> None:
    with WebhookTransport(gateway.url, timeout=2) as transport:
        receipt = transport.send(MESSAGE)
    assert receipt.key == MESSAGE.key and receipt.reference == "gw-1"
    ((body, key),) = gateway.received
    assert body == MESSAGE.document() and key == MESSAGE.key
    assert body["title"]["zh"] == "本周热门课程"


def test_a_non_2xx_answer_is_a_failure(gateway: Gateway) -> None:
    gateway.replies = [503]
    with WebhookTransport(gateway.url, timeout=2) as transport, pytest.raises(TransportFailed) as failed:
        transport.send(MESSAGE)
    assert not isinstance(failed.value, TransportTimeout)
    assert "503" in failed.value.text.en and "503" in failed.value.text.zh
    assert gateway.received == []


def test_a_slow_gateway_is_a_timeout(gateway: Gateway) -> None:
    gateway.delay = 0.5
    with (
        WebhookTransport(gateway.url, timeout=0.1) as transport,
        pytest.raises(TransportTimeout) as timed_out,
    ):
        transport.send(MESSAGE)
    assert timed_out.value.code == "push.transport_timeout"
    assert "0.1" in timed_out.value.text.en


def test_an_unreachable_gateway_is_a_failure() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = WebhookTransport(f"http://127.0.0.1:{port}/push", timeout=1)
    with transport, pytest.raises(TransportFailed) as failed:
        transport.send(MESSAGE)
    assert failed.value.code == "push.transport_failed"


def test_a_campaign_goes_out_through_the_webhook_and_a_503_is_retried(
    engine: Engine, gateway: Gateway, clock: FakeClock, sleeps: list[float]
) -> None:
    seed_people(engine)
    gateway.replies = [503]
    with WebhookTransport(gateway.url, timeout=2) as transport:
        push = make_push(engine, transport, clock, sleeps)
        push.plan(CAMPAIGN)
        report = push.send(CAMPAIGN.campaign_id)

    assert report.sent == len(PEOPLE) and report.attempts == len(PEOPLE) + 1
    assert sorted(str(key) for _, key in gateway.received) == sorted(
        f"{CAMPAIGN.campaign_id}:{p.subject}" for p in PEOPLE
    )
    first = push.attempts(CAMPAIGN.campaign_id, "u01")
    assert [a.outcome for a in first] == [Outcome.FAILED, Outcome.DELIVERED]
    assert first[0].error is not None and "503" in first[0].error
    assert all(d.status is DeliveryStatus.SENT and d.receipt for d in push.deliveries(CAMPAIGN.campaign_id))
