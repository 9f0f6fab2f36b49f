"""A site whose certificate Chromium does not trust: the walk ends `unreachable`, saying it is TLS.

The server is a real HTTPS server on loopback with a self-signed certificate made by `openssl` for the
test; nothing is walked behind it, and the detail names the certificate problem in both languages.
"""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator

import pytest

from consentgate.observe.model import WalkEnd
from consentgate.observe.walker import Limits, observe_target
from tests.observe.browser.conftest import Loop

FAST = Limits(action=5.0, settle=5.0, idle=1.0, walk=30.0, max_screens=2)


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [openssl, *request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/signup"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)


def test_an_untrusted_certificate_ends_the_walk_as_a_tls_problem(chromium: Loop, untrusted: str) -> None:
    assert chromium.browser is not None
    observation = chromium.run(observe_target(untrusted, browser=chromium.browser, limits=FAST))
    (walk,) = observation.walks  # nothing behind it to walk a second time
    assert walk.end is WalkEnd.UNREACHABLE and walk.screens == ()
    detail = walk.end_detail or ""
    assert "ERR_CERT" in detail, detail
