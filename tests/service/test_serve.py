"""`consentgate serve` starts uvicorn on the embedded SQLite, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.runtime.conftest import SEED_FIXED

AS_FOUND = SEED_FIXED.parent / "as-found.yaml"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(tmp_path: Path, manifest: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "CONSENTGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    return subprocess.Popen(
        [sys.executable, "-m", "consentgate", "serve", "--manifest", str(manifest), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    process = _serve(tmp_path, SEED_FIXED, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the service never answered"
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert (
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()["openapi"].startswith("3.1")
        )
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    # uvicorn shuts down gracefully (the lifespan closes every Engine, flushing its audit records), then
    # re-raises SIGTERM so that a supervisor sees how it ended.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_serve_refuses_an_unlawful_manifest_with_exit_2(tmp_path: Path) -> None:
    process = _serve(tmp_path, AS_FOUND, _free_port())
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2, output
    assert "CG-PIPL-016-FORCED-COLLECTION" in output and "Traceback" not in output
