"""How fast a runtime trace is judged, and whether memory stays flat however long the trace.

Run:  .venv/bin/python benchmarks/traces.py [--events 1000000] [--repeat 1]

Writes a JSON-lines trace of N events to a temporary file — an app whose SDKs (Umeng, JPush, a tracker
reached over the network) read device identifiers, the app list and location before and after a
consent event, with permission asks, as a Frida script would write them — and runs the real path on it:
`open_trace` (sniff, orjson per line) → `classify` (SDK and API catalogs) → the timeline fold → trace
inference → the audit by the real engine, as `consentgate observe trace.jsonl` does.

The peer, in the same process over the same file: a bare `for line in f: json.loads(line)` (the floor
any Python reader of the file pays; it builds nothing). The real path's events/s is printed beside it,
and as a ratio of it. Peak memory is this process's VmHWM (/proc/self/status), reset before each phase
through /proc/self/clear_refs where the kernel allows it, printed before and after: flat memory means the
real path's peak does not grow with N (try --events 100000 and 1000000). It prints numbers; it never
asserts. Goal (issue 19): >= 200k events/s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import orjson

from consentgate.observe.report import audit_inferred
from consentgate.observe.traces.infer import infer_trace
from consentgate.observe.traces.read import open_trace
from consentgate.observe.traces.timeline import fold

GOAL_EVENTS_PER_SECOND = 200_000
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

_SHAPES: tuple[dict[str, object], ...] = (
    {
        "kind": "api",
        "actor": "友盟+",
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "stack": ["com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:120)"],
    },
    {
        "kind": "api",
        "api": "android.provider.Settings$Secure.getString",
        "description": "android_id",
        "stack": [
            "cn.jpush.android.helper.DeviceInfo.androidId(SourceFile:44)",
            "com.example.app.App.onCreate(App.java:31)",
        ],
    },
    {
        "kind": "api",
        "actor": "APP本身",
        "api": "android.app.ApplicationPackageManager.getInstalledPackages",
        "stack": ["com.example.app.Recommend.apps(Recommend.java:12)"],
    },
    {
        "kind": "api",
        "api": "android.location.LocationManager.getLastKnownLocation",
        "stack": ["com.example.app.Nearby.where(Nearby.java:80)"],
    },
    {"kind": "request", "method": "POST", "url": "https://ulogs.umeng.com/unify_logs?imei=86&oaid=d&ak=5f"},
    {"kind": "permission", "actor": "APP本身", "permission": "android.permission.ACCESS_FINE_LOCATION"},
)


def _lines(events: int) -> Iterator[bytes]:
    consent_at = events // 3
    for i in range(events):
        if i == consent_at:
            yield (
                orjson.dumps({"time": (T0 + timedelta(milliseconds=i)).isoformat(), "kind": "consent"})
                + b"\n"
            )
        line = {"time": (T0 + timedelta(milliseconds=i)).isoformat(), **_SHAPES[i % len(_SHAPES)]}
        yield orjson.dumps(line) + b"\n"


def write_trace(path: Path, events: int) -> None:
    with path.open("wb") as f:
        f.writelines(_lines(events))


def _hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_hwm() -> bool:
    """Resets VmHWM to the current RSS (Linux clear_refs "5"); False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Run:
    wall: float  # seconds on the clock
    cpu: float  # seconds of this process's CPU: fairer than the clock on a machine shared with others
    events: int
    findings: int = 0


def real_path(path: Path) -> Run:
    """The whole path the command takes on one trace."""
    wall, cpu = time.perf_counter(), time.process_time()
    reading = open_trace(path)
    timeline = fold(reading.events(), app_package="com.example.app")
    inferred = infer_trace(timeline, source=path.name, app_name="com.example.app")
    report = audit_inferred(str(path), inferred.manifest, inferred.evidence)
    return Run(time.perf_counter() - wall, time.process_time() - cpu, timeline.events, len(report.findings))


def read_only(path: Path) -> Run:
    """The reader alone (open_trace, events built, nothing counted): how the real path's time divides."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in open_trace(path).events())
    return Run(time.perf_counter() - wall, time.process_time() - cpu, count)


def fold_only(path: Path, sample: int) -> Run:
    """The timeline alone (classify included) over the first `sample` events, read beforehand into a list:
    run last, since holding events is exactly what the real path never does."""
    events = list(islice(open_trace(path).events(), sample))
    wall, cpu = time.perf_counter(), time.process_time()
    fold(events, app_package="com.example.app")
    return Run(time.perf_counter() - wall, time.process_time() - cpu, len(events))


def peer(path: Path) -> Run:
    """A bare read of the same file with the standard library's json: parse every line, keep nothing."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = 0
    with path.open("rb") as f:
        for line in f:
            json.loads(line)
            count += 1
    return Run(time.perf_counter() - wall, time.process_time() - cpu, count)


def _line(name: str, run: Run) -> str:
    return (
        f"{name:<66} {run.wall:6.2f} s wall, {run.events / run.wall:>9,.0f} events/s; "
        f"{run.cpu:6.2f} s CPU, {run.events / run.cpu:>9,.0f} events/CPU-s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side; the fastest is printed")
    parser.add_argument("--fold-sample", type=int, default=200_000, help="events held for the fold-only run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="consentgate-bench-traces-") as tmp:
        path = Path(tmp) / "trace.jsonl"
        write_trace(path, args.events)
        print(
            f"trace: {args.events:,} events (+1 consent), {path.stat().st_size / 2**20:.1f} MiB of JSON lines"
        )
        reset = _reset_hwm()
        before = _hwm_kib()
        real = min((real_path(path) for _ in range(args.repeat)), key=lambda r: r.cpu)
        after = _hwm_kib()
        reader = min((read_only(path) for _ in range(args.repeat)), key=lambda r: r.cpu)
        _reset_hwm()
        peer_before = _hwm_kib()
        bare = min((peer(path) for _ in range(args.repeat)), key=lambda r: r.cpu)
        peer_after = _hwm_kib()
        folded = min((fold_only(path, args.fold_sample) for _ in range(args.repeat)), key=lambda r: r.cpu)
    print(
        _line("real path (open_trace → classify → timeline → infer → audit)", real)
        + f", {real.findings} findings"
    )
    print(_line("  of which the reader alone (open_trace → events)", reader))
    print(_line("  the timeline fold alone (classify included, events read before)", folded))
    print(_line("peer (for line in f: json.loads(line))", bare))
    print(
        f"ratio real / peer: {bare.cpu / real.cpu:.2f} by CPU time, {bare.wall / real.wall:.2f} by the clock"
    )
    note = "" if reset else " (clear_refs not allowed: peaks are since process start)"
    print(f"peak RSS (VmHWM) real path: {before / 1024:.1f} MiB before → {after / 1024:.1f} MiB after{note}")
    print(
        f"peak RSS (VmHWM) peer:      {peer_before / 1024:.1f} MiB before → {peer_after / 1024:.1f} MiB after"
    )
    rate = real.events / real.cpu
    verdict = "met" if rate >= GOAL_EVENTS_PER_SECOND else "NOT met"
    print(f"goal >= {GOAL_EVENTS_PER_SECOND:,} events/s (per CPU-second): {verdict}")


if __name__ == "__main__":
    main()
