"""`consentgate serve` starts uvicorn on the SQLite file `db upgrade` made, answers, and stops cleanly
on SIGTERM; it refuses an unlawful manifest and a missing database.

Waits are for readiness (the port answering, the process ending), each under a generous guard that
only a hung process reaches: a busy machine makes them slower, never failing.
"""

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
GUARD = 120.0  # seconds: far beyond a slow start (14 s seen on a quiet machine), reached only by a hang


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _env(database: Path) -> dict[str, str]:
    return {**os.environ, "CONSENTGATE_DATABASE_URL": f"sqlite:///{database}"}


def _upgraded(tmp_path: Path) -> Path:
    database = tmp_path / "served.db"
    done = subprocess.run(
        [sys.executable, "-m", "consentgate", "db", "upgrade"],
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return database


def _serve(database: Path, manifest: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "consentgate", "serve", "--manifest", str(manifest), "--port", str(port)],
        env=_env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_until_answering(process: subprocess.Popen[str], port: int) -> httpx.Response:
    """The first answer of /healthz: polls the port while the process lives (the guard catches a hang)."""
    guard = time.monotonic() + GUARD
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        except httpx.TransportError:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(
                    f"serve ended with {process.returncode} before answering:\n{output}"
                ) from None
            assert time.monotonic() < guard, f"serve did not answer within {GUARD:.0f} s"
            time.sleep(0.1)


def test_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    process = _serve(_upgraded(tmp_path), SEED_FIXED, port)
    try:
        response = _wait_until_answering(process, port)
        assert response.json() == {"status": "ok"}
        openapi = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=30).json()
        assert openapi["openapi"].startswith("3.1")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=GUARD)
    # uvicorn shuts down gracefully (the lifespan closes every Engine, flushing its audit records), then
    # re-raises SIGTERM so that a supervisor sees how it ended.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_serve_refuses_an_unlawful_manifest_with_exit_2(tmp_path: Path) -> None:
    process = _serve(_upgraded(tmp_path), AS_FOUND, _free_port())
    output, _ = process.communicate(timeout=GUARD)
    assert process.returncode == 2, output
    assert "CG-PIPL-016-FORCED-COLLECTION" in output and "Traceback" not in output


def test_serve_refuses_a_database_nobody_made_and_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "sevred.db"
    process = _serve(typo, SEED_FIXED, _free_port())
    output, _ = process.communicate(timeout=GUARD)
    assert process.returncode == 2, output
    assert "[runtime.database_not_ready]" in output and "consentgate db upgrade" in output, output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []  # neither the database nor a key file beside it
