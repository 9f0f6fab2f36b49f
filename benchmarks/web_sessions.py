"""What server-side web sessions cost a page: one load (and the occasional touch) per request.

Run:  .venv/bin/python benchmarks/web_sessions.py [--n 2000] [--postgres URL]

Creates N sessions, then loads each (what every page with a cookie pays), saves a changed one (a form
that flashes a note), and signs a person out everywhere, on SQLite (a file in a temporary folder) and,
given `--postgres` (an admin URL; a scratch database is made and dropped), on PostgreSQL. The peer,
run in the same process, is what the signed cookie cost: itsdangerous verifying and decoding the same
data, as Starlette's `SessionMiddleware` did. Prints latency percentiles, ops/s, peak Python memory
and the ratio to the peer; it never asserts.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from itsdangerous import TimestampSigner

from consentgate.runtime.ports import SystemClock
from consentgate.runtime.sessions import WebSessions
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.scratch import scratch_postgres


def _data(i: int) -> dict[str, object]:
    return {"person": {"tenant": "bench", "subject": f"u-{i}"}, "csrf": "x" * 43, "lang": "zh"}


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
    return f"p50 {p50 * 1e3:.3f} ms  p99 {p99 * 1e3:.3f} ms  {len(samples) / sum(samples):,.0f} ops/s"


def _timed(each: Callable[[int], object], n: int) -> list[float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        each(i)
        samples.append(time.perf_counter() - started)
    return samples


def _peer(n: int) -> list[float]:
    signer = TimestampSigner("bench-secret")
    cookies = [signer.sign(base64.b64encode(json.dumps(_data(i)).encode())).decode() for i in range(n)]
    return _timed(lambda i: json.loads(base64.b64decode(signer.unsign(cookies[i], max_age=28800))), n)


def run(name: str, url: str, n: int) -> None:
    db = Database(url)
    upgrade(db)
    sessions = WebSessions(db, clock=SystemClock())
    tracemalloc.start()  # only while creating: tracing would slow the timed calls several-fold
    tokens = [sessions.create(_data(i)) for i in range(n)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    loads = _timed(lambda i: sessions.load(tokens[i]), n)
    saves = _timed(lambda i: sessions.save(tokens[i], _data(i) | {"flash": "done"}), n)
    ends = _timed(lambda i: sessions.end_everywhere("bench", f"u-{i}"), n)
    peer = _peer(n)
    ratio = statistics.median(loads) / statistics.median(peer)
    print(f"{name}: load   {_percentiles(loads)}")
    print(f"{name}: save   {_percentiles(saves)}")
    print(f"{name}: end everywhere {_percentiles(ends)}")
    print(f"{name}: peer (signed cookie decode) {_percentiles(peer)}; load/peer median x{ratio:,.0f}")
    print(f"{name}: peak Python memory {peak / 2**20:.1f} MiB creating {n} sessions")
    db.dispose()


@contextmanager
def _postgres(admin_url: str) -> Iterator[str]:
    with scratch_postgres(admin_url, prefix="cg_bench") as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument(
        "--postgres", help="an admin URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", f"sqlite:///{Path(folder) / 'sessions.db'}", args.n)
    if args.postgres:
        with _postgres(args.postgres) as url:
            run("postgresql", url, args.n)


if __name__ == "__main__":
    main()
