"""Serves the fixture sites: each flow on 127.0.0.1, the third party on 127.0.0.2 (another site).

Each server's socket is bound and listening before uvicorn takes it, so a client can connect at once:
connections wait in the backlog until the server accepts them, and no test waits on a clock.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pytest
import uvicorn
from starlette.types import ASGIApp

from tests.observe.sites.apps import Hits, faulty_site, fixed_site, mobile_site, third_party_site

STOP_LIMIT = 30.0  # seconds; a guard against a server that will not stop, not an expectation


@dataclass(frozen=True)
class Sites:
    """Base URLs of the served flows and the third party, and what reached the third party."""

    faulty: str
    fixed: str
    mobile: str
    third_party: str
    hits: Hits


class _Servers:
    def __init__(self) -> None:
        self.running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def serve(self, app: ASGIApp, host: str, *, lifespan: Literal["auto", "on", "off"] = "off") -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sock.listen(128)
        port: int = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan=lifespan)
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        self.running.append((server, thread))
        return f"http://{host}:{port}"

    def stop(self) -> None:
        for server, _ in self.running:
            server.should_exit = True
        for _, thread in self.running:
            thread.join(STOP_LIMIT)


@pytest.fixture(scope="module")
def servers() -> Iterator[_Servers]:
    """Loopback servers for one module, stopped when it ends."""
    running = _Servers()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    servers = _Servers()
    hits = Hits()
    try:
        third = servers.serve(third_party_site(hits), "127.0.0.2")
        yield Sites(
            faulty=servers.serve(faulty_site(third), "127.0.0.1") + "/signup",
            fixed=servers.serve(fixed_site(), "127.0.0.1") + "/signup",
            mobile=servers.serve(mobile_site(third), "127.0.0.1") + "/signup",
            third_party=third,
            hits=hits,
        )
    finally:
        servers.stop()
