"""HTTP load on the service: `POST /v1/decide` from a second process on loopback, bounded request count.

Run:  .venv/bin/python benchmarks/http_load.py [--requests 50000] [--connections 32] [--workers 2]
      [--subjects 1000] [--backend sqlite|postgresql]

The service is started exactly as in production (`consentgate serve --workers N`) on a fresh
database with the seed app; a key is created; --subjects people are registered with a consent each.
The load comes from ANOTHER process: a small asyncio HTTP/1.1 client (keep-alive, one request in
flight per connection, --connections connections) — a Python client like httpx would itself be the
bottleneck at these rates. Every response is checked (status 200 and an `allowed` field) and a run
with an error fails loudly instead of reporting numbers.

Printed: requests/s, latency p50/p99/max, and, as the peer run on the same machine in the same way,
the same client against a bare FastAPI endpoint returning a constant under the same uvicorn settings —
the ceiling this stack reaches here, so the ratio says what consentgate's own work costs.
Target from the issue: >= 5,000 decide requests/s with p99 <= 20 ms at 2 workers on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "examples" / "seed-case" / "fixed.yaml"

peer = FastAPI()


@peer.post("/v1/decide")
def constant() -> dict[str, object]:
    """The peer: what uvicorn + FastAPI cost for a JSON POST with nothing behind it."""
    return {"allowed": True, "reason_code": "consent"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(port: int, process: subprocess.Popen[bytes], path: str = "/openapi.json") -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server on {port} did not start") from None
            time.sleep(0.2)


@contextmanager
def running(command: list[str], port: int, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(port, process)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _request(port: int, body: bytes, token: str) -> bytes:
    head = (
        f"POST /v1/decide HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(port: int, payloads: list[bytes], latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for payload in payloads:
            started = time.perf_counter()
            writer.write(payload)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status_line or b'"allowed"' not in body:
                errors.append(
                    status_line.decode(errors="replace").strip() + " " + body[:200].decode(errors="replace")
                )
    finally:
        writer.close()


def drive(port: int, token: str, subjects: list[str], requests: int, connections: int) -> dict[str, float]:
    """Runs in its own process: sends `requests` decide calls over `connections` keep-alive connections."""
    bodies = [
        json.dumps({"subject": s, "purpose": "marketing-sms", "data": ["phone"]}).encode() for s in subjects
    ]
    payloads = [_request(port, bodies[i % len(bodies)], token) for i in range(requests)]
    shares = [payloads[c::connections] for c in range(connections)]
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(_connection(port, share, latencies, errors) for share in shares))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    if errors:
        raise SystemExit(f"{len(errors)} bad responses, first: {errors[0]}")
    ordered = sorted(latencies)
    return {
        "rps": requests / elapsed,
        "p50_ms": statistics.median(ordered) * 1e3,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1e3,
        "max_ms": ordered[-1] * 1e3,
    }


def drive_in_process(
    port: int, token: str, subjects: list[str], requests: int, connections: int
) -> dict[str, float]:
    """The client is a second process, as the issue asks: the server's workers get the cores it leaves."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, float] = pool.apply(drive, (port, token, subjects, requests, connections))
        return result


def prepare(database_url: str, subjects: int) -> tuple[str, list[str]]:
    """A key and people with a consent each, written before the server starts (not timed)."""
    from consentgate.runtime.apikeys.schemas import Scope
    from consentgate.runtime.apikeys.service import ApiKeyService
    from consentgate.runtime.engine import Engine
    from consentgate.runtime.ports import SystemClock

    people = [f"load-{n:05d}" for n in range(subjects)]
    with Engine.from_manifest(MANIFEST, database_url=database_url, tenant="load") as engine:
        engine.consent.register_subjects(people)
        notice = engine.notices.current("privacy-policy")
        assert notice is not None
        for person in people:
            engine.consent.give(
                person, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version
            )
        token = ApiKeyService(engine.database, clock=SystemClock()).create(
            "load", "bench", [Scope.APP_BACKEND]
        )
    return token.token, people


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()

    from consentgate.store.scratch import scratch_database

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); {args.workers} worker(s), "
        f"{args.connections} connections, {args.requests:,} requests per run, {args.backend}"
    )
    with scratch_database(args.backend) as db:
        url = db.url
        token, people = prepare(url, args.subjects)
        env = {**os.environ, "CONSENTGATE_DATABASE_URL": url, "CONSENTGATE_MANIFEST": str(MANIFEST)}
        port = free_port()
        serve = [
            sys.executable,
            "-m",
            "consentgate",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ]
        with running(serve, port, env):
            drive_in_process(port, token, people, min(args.requests, 5_000), args.connections)  # warm caches
            ours = drive_in_process(port, token, people, args.requests, args.connections)
        peer_port = free_port()
        peer_cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.http_load:peer",
            "--port",
            str(peer_port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with running(peer_cmd, peer_port, {**env, "PYTHONPATH": str(ROOT)}):
            drive_in_process(peer_port, token, people, min(args.requests, 5_000), args.connections)
            bare = drive_in_process(peer_port, token, people, args.requests, args.connections)
    for label, run in (("consentgate /v1/decide", ours), ("peer: constant FastAPI", bare)):
        print(
            f"{label:24} {run['rps']:>9,.0f} req/s   p50 {run['p50_ms']:6.2f} ms   "
            f"p99 {run['p99_ms']:6.2f} ms   max {run['max_ms']:7.2f} ms"
        )
    print(
        f"consentgate reaches {ours['rps'] / bare['rps']:.0%} of the bare stack's rate; "
        f"target >= 5,000 req/s and p99 <= 20 ms: "
        f"{'met' if ours['rps'] >= 5000 and ours['p99_ms'] <= 20 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
