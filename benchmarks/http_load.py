"""HTTP load on the service: `POST /v1/decide` and the feed from a second process on loopback.

Run:  .venv/bin/python benchmarks/http_load.py [--requests 50000] [--feed-requests 10000]
      [--connections 32] [--workers 2] [--subjects 1000] [--backend sqlite|postgresql] [--slow-ms 200]

The service is started exactly as in production (`consentgate serve --workers N`) on a fresh
database with the seed app and the demo app's lesson catalog; a key is created; --subjects people are
registered with a consent to marketing SMS each, and every other one of them also switched
personalization on and answered the questionnaire (level, goal, occupation), so the feed is measured
in both modes. All of that is written before the server starts and is not timed.

The load comes from ANOTHER process: a small asyncio HTTP/1.1 client (keep-alive, one request in
flight per connection, --connections connections) — a Python client like httpx would itself be the
bottleneck at these rates. Two runs, each after a short warm-up run: --requests of
`POST /v1/decide` (marketing SMS of the phone: allowed, so every answer also writes an audit record)
and --feed-requests of `GET /v1/subjects/{s}/feed?limit=10` (a page costs far more than a decision,
so fewer keep the run short) over the same people. Every response is checked (status
200; `"allowed":true`, or `"personalized"` true or false as that person chose) and a run with an
error fails loudly instead of reporting numbers.

Printed per run: requests/s and latency p50/p99/p99.9/max. As the peer, the same client against a
bare FastAPI app under the same uvicorn settings, answering the same requests with a constant (the
feed's constant says `personalized` as the person chose, so the same checks hold) — the ceiling this
stack reaches here, so the ratio says what consentgate's own work costs. Requests slower than
--slow-ms are grouped into stalls (slow requests overlapping in time); the slowest few are printed
with when they began after the run's start and how many requests they held up: a stall that holds
up every connection of a worker at once is that worker's event loop blocked, not the network.
A keep-alive connection stays on the worker that accepted it, so a warm-up does not reach every
person on every worker: the first requests of a run may still miss a worker's gate cache.
Target from the issue: >= 5,000 decide requests/s with p99 <= 20 ms at 2 workers on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "examples" / "seed-case" / "fixed.yaml"
CATALOG = ROOT / "examples" / "demo-app" / "lessons.yaml"
FEED_LIMIT = 10
WORST_STALLS = 3  # stalls listed per endpoint, slowest first
# What the personalized people answered, cycled over them (catalog value ids of the demo app).
LEVELS = ("beginner", "elementary", "intermediate", "upper-intermediate", "advanced")
GOALS = ("daily-conversation", "business", "ielts", "cet", "travel", "kaoyan", "toefl")
OCCUPATIONS = ("student", "teacher", "software-engineer", "healthcare", "finance", "sales-marketing")

peer = FastAPI()


def personalized(subject: str) -> bool:
    """Every other person switched personalization on: `load-00000` did, `load-00001` did not."""
    return int(subject.rsplit("-", 1)[1]) % 2 == 0


@peer.post("/v1/decide")
def constant() -> dict[str, object]:
    """The peer: what uvicorn + FastAPI cost for a JSON POST with nothing behind it."""
    return {"allowed": True, "reason_code": "consent"}


@peer.get("/v1/subjects/{subject}/feed")
def constant_feed(subject: str, limit: int = FEED_LIMIT) -> dict[str, object]:
    """The peer's feed: a GET with a path and a query parameter, answered with an empty page."""
    return {"personalized": personalized(subject), "limit": limit, "items": []}


# ---------------------------------------------------------------------------------------- the client


@dataclass(frozen=True)
class Call:
    """One request as sent on the wire, and the bytes its 200 body must contain."""

    path: str
    wire: bytes
    expect: bytes


@dataclass(frozen=True)
class Slow:
    """A request slower than the threshold: when it started (s after the run's start) and took (s)."""

    started: float
    took: float
    path: str


@dataclass(frozen=True)
class Result:
    rps: float
    latencies: list[float]  # seconds, sorted
    slow: list[Slow]

    def quantile_ms(self, q: float) -> float:
        """The latency that `q` of the requests stayed within (nearest rank), in ms."""
        index = max(0, min(len(self.latencies) - 1, int(len(self.latencies) * q + 0.5) - 1))
        return self.latencies[index] * 1e3


def decide_call(port: int, token: str, subject: str) -> Call:
    body = orjson.dumps({"subject": subject, "purpose": "marketing-sms", "data": ["phone"]})
    head = (
        f"POST /v1/decide HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return Call("/v1/decide", head.encode() + body, b'"allowed":true')


def feed_call(port: int, token: str, subject: str) -> Call:
    path = f"/v1/subjects/{subject}/feed?limit={FEED_LIMIT}"
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
    expect = b'"personalized":true' if personalized(subject) else b'"personalized":false'
    return Call(path, head.encode(), expect)


async def _connection(
    calls: Sequence[Call], origin: float, latencies: list[float], slow_after: float, slow: list[Slow]
) -> list[str]:
    """Sends `calls` one after another on one keep-alive connection; returns the bad answers."""
    port = int(calls[0].wire.split(b"Host: 127.0.0.1:", 1)[1].split(b"\r\n", 1)[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors: list[str] = []
    try:
        for call in calls:
            started = time.perf_counter()
            writer.write(call.wire)
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
            took = time.perf_counter() - started
            latencies.append(took)
            if took > slow_after:
                slow.append(Slow(started - origin, took, call.path))
            if b" 200 " not in status_line or call.expect not in body:
                errors.append(
                    f"{call.path}: {status_line.decode(errors='replace').strip()} "
                    f"{body[:200].decode(errors='replace')}"
                )
    finally:
        writer.close()
        await writer.wait_closed()
    return errors


def drive(calls: list[Call], requests: int, connections: int, slow_after: float) -> Result:
    """Runs in its own process: sends `requests` calls (cycling `calls`) over `connections` connections."""
    payloads = [calls[i % len(calls)] for i in range(requests)]
    shares = [payloads[c::connections] for c in range(connections)]
    latencies: list[float] = []
    slow: list[Slow] = []

    async def main() -> tuple[float, list[str]]:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(_connection(share, started, latencies, slow_after, slow) for share in shares if share)
        )
        return time.perf_counter() - started, [e for errors in answers for e in errors]

    elapsed, errors = asyncio.run(main())
    if errors:
        raise SystemExit(f"{len(errors)} bad responses, first: {errors[0]}")
    return Result(requests / elapsed, sorted(latencies), sorted(slow, key=lambda s: s.started))


def drive_in_process(calls: list[Call], requests: int, connections: int, slow_after: float) -> Result:
    """The client is a second process, as the issue asks: the server's workers get the cores it leaves."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: Result = pool.apply(drive, (calls, requests, connections, slow_after))
        return result


def stalls(slow: list[Slow]) -> list[tuple[float, float, int]]:
    """Slow requests that overlap in time, merged: (began at s, slowest took s, requests held up)."""
    merged: list[tuple[float, float, float, int]] = []  # began, ended, slowest, count
    for request in slow:
        ended = request.started + request.took
        if merged and request.started <= merged[-1][1]:
            began, until, slowest, count = merged[-1]
            merged[-1] = (began, max(until, ended), max(slowest, request.took), count + 1)
        else:
            merged.append((request.started, ended, request.took, 1))
    return [(began, slowest, count) for began, _, slowest, count in merged]


# ---------------------------------------------------------------------------------------- the server


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


def prepare(database_url: str, subjects: int) -> tuple[str, list[str]]:
    """A key, and people with a consent each; every other one personalized with answers (not timed).

    The SMS consents and the answers are written in one transaction each (a few seconds instead of a
    minute of fsyncs); personalization is switched on through the feed's own switch, person by person.
    """
    from consentgate.runtime.apikeys.schemas import Scope
    from consentgate.runtime.apikeys.service import ApiKeyService
    from consentgate.runtime.consent.schemas import EventKind, NewConsentEvent
    from consentgate.runtime.engine import Engine
    from consentgate.runtime.ports import SystemClock

    people = [f"load-{n:05d}" for n in range(subjects)]
    with Engine.from_manifest(
        MANIFEST, create=True, database_url=database_url, tenant="load", catalog=CATALOG
    ) as engine:
        engine.consent.register_subjects(people)
        notice = engine.notices.current("privacy-policy")
        assert notice is not None
        engine.consent.record_many(
            [
                NewConsentEvent(
                    subject=person,
                    purpose="marketing-sms",
                    kind=EventKind.GIVEN,
                    notice_id=notice.notice_id,
                    notice_version=notice.version,
                )
                for person in people
            ]
        )
        switched = {
            person: event.event_id
            for person in people
            if personalized(person) and (event := engine.feed.set_mode(person, True)) is not None
        }
        with engine.database.transaction() as session:
            for n, person in enumerate(people):
                if not personalized(person):
                    continue
                answers = {
                    "english-level": LEVELS[n % len(LEVELS)],
                    "learning-goal": GOALS[n % len(GOALS)],
                    "occupation": OCCUPATIONS[n % len(OCCUPATIONS)],
                }
                for data_id, value in answers.items():
                    engine.profiles.set_in(
                        session,
                        person,
                        data_id,
                        value,
                        purposes=[engine.feed.purpose],
                        consent_event_id=switched[person],
                    )
        token = ApiKeyService(engine.database, clock=SystemClock()).create(
            "load", "bench", [Scope.APP_BACKEND]
        )
    return token.token, people


@dataclass(frozen=True)
class Measured:
    decide: Result
    feed: Result


def measure(port: int, token: str, people: list[str], args: argparse.Namespace) -> Measured:
    """A warm-up run, then the measured run, of each endpoint against the server on `port`."""
    slow_after = args.slow_ms / 1e3
    results: list[Result] = []
    for make, requests in ((decide_call, args.requests), (feed_call, args.feed_requests)):
        calls = [make(port, token, person) for person in people]
        drive_in_process(calls, min(requests, 5_000), args.connections, slow_after)  # warm caches
        results.append(drive_in_process(calls, requests, args.connections, slow_after))
    return Measured(*results)


# ---------------------------------------------------------------------------------------- the report


def row(label: str, run: Result) -> str:
    return (
        f"{label:34} {run.rps:>8,.0f} {run.quantile_ms(0.5):8.2f} {run.quantile_ms(0.99):8.2f} "
        f"{run.quantile_ms(0.999):8.2f} {run.latencies[-1] * 1e3:9.2f}"
    )


def report(ours: Measured, bare: Measured, slow_ms: float) -> None:
    print(f"{'':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>8} {'max ms':>9}")
    endpoints = (
        ("POST /v1/decide", ours.decide, bare.decide),
        (f"GET /v1/subjects/{{s}}/feed?limit={FEED_LIMIT}", ours.feed, bare.feed),
    )
    for endpoint, mine, theirs in endpoints:
        print(endpoint)
        print(row("  consentgate", mine))
        print(row("  peer: constant FastAPI", theirs))
        print(f"  consentgate reaches {mine.rps / theirs.rps:.0%} of the bare stack's rate")
    print(f"consentgate requests over {slow_ms:.0f} ms, grouped into stalls (overlapping in time):")
    for label, run in (("decide", ours.decide), ("feed", ours.feed)):
        found = stalls(run.slow)
        worst = sorted(found, key=lambda stall: -stall[1])[:WORST_STALLS]
        listed = ", ".join(
            f"{slowest * 1e3:.0f} ms at {began:.2f} s ({count} held up)" for began, slowest, count in worst
        )
        print(
            f"  {label:6} {len(run.slow):5} in {len(found):3} stall(s){'; worst: ' + listed if listed else ''}"
        )
    met = ours.decide.rps >= 5000 and ours.decide.quantile_ms(0.99) <= 20
    print(f"target (decide) >= 5,000 req/s and p99 <= 20 ms: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50_000, help="decide requests per run")
    parser.add_argument("--feed-requests", type=int, default=10_000, help="feed requests per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--slow-ms", type=float, default=200.0, help="a slower request is a stall")
    args = parser.parse_args()

    from consentgate.store.scratch import scratch_database

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); {args.workers} worker(s), "
        f"{args.connections} connections, {args.requests:,} decide and {args.feed_requests:,} feed "
        f"requests per run, {args.backend}"
    )
    with scratch_database(args.backend) as db:
        token, people = prepare(db.url, args.subjects)
        env = {
            **os.environ,
            "CONSENTGATE_DATABASE_URL": db.url,
            "CONSENTGATE_MANIFEST": str(MANIFEST),
            "CONSENTGATE_CATALOG": str(CATALOG),
        }
        port = free_port()
        serve = [sys.executable, "-m", "consentgate", "serve", "--port", str(port)]
        with running([*serve, "--workers", str(args.workers)], port, env):
            ours = measure(port, token, people, args)
        peer_port = free_port()
        peer_cmd = [sys.executable, "-m", "uvicorn", "benchmarks.http_load:peer", "--port", str(peer_port)]
        quiet = ["--log-level", "warning", "--no-access-log"]
        with running(
            [*peer_cmd, "--workers", str(args.workers), *quiet], peer_port, {**env, "PYTHONPATH": str(ROOT)}
        ):
            bare = measure(peer_port, token, people, args)
    report(ours, bare, args.slow_ms)


if __name__ == "__main__":
    main()
