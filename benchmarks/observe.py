"""How many sign-up flows `consentgate observe` walks, infers and audits per hour, and what memory it takes.

Run:  .venv/bin/python benchmarks/observe.py [--flows 50] [--jobs 1,2,4] [--ray-jobs 2] [--device "iPhone 13"]

The fixture sites of the observe tests (tests/observe/sites/apps.py: the faulty seed-case flow, the
fixed flow and the phone-only flow; the third party on 127.0.0.2) are served on loopback, and N targets
cycle through the three, each with its own query string so each is its own target (its own folder,
its own report). For each `--jobs` level a fresh process (so the first batch really is cold: imports,
catalog, a fresh browser) runs the real path twice — `run_batch` with the real walker (refuse and
accept walks, screenshots into a temporary evidence folder), real inference and the real audit:

- cold: the first batch of the process;
- sustained: a second batch of the same targets in the same process (run_batch launches its own
  browser each time, as the command does);
- the peer, same process, same targets, same concurrency: a bare Playwright `page.goto` + `content()`
  of each target's first page in a fresh context (no walking, no inference, no audit). Not the real
  path: it is the floor any browser-driving tool pays, and observe's flows/h is printed as a ratio of it.

The Ray row (`--ray-jobs N`, default 2; 0 leaves it out) runs the same targets through the `--ray`
backend on a local Ray of N CPUs: one task per target, each launching its own Chromium in its worker.
Its cold batch starts (and stops) its own Ray, as `consentgate observe --ray` does, so Ray's start-up
is in its wall time; the sustained batch runs on a Ray already up. Ray's own processes (GCS, raylet,
workers) are shown apart from Chromium ("other").

Measured: flows/hour (batch wall time, browser launch and close included), per-flow p50/p95/max
(walk: the observation's own start and end; end-to-end: walk start until the batch reported the
target, inference and audit included), peak RSS of this process (VmHWM, reset between phases through
/proc/self/clear_refs), and of the browser: the process tree under this process is sampled every
`--sample-ms` from /proc/<pid>/status (VmRSS summed over Chromium's processes; the Playwright driver,
node, is shown apart), and memory per context ≈ (peak browser RSS − idle browser RSS) / jobs, idle
being a freshly launched browser with no context. Summed RSS counts pages Chromium's processes share
once per process, so it overstates; PSS (from smaps_rollup) is printed beside it. It prints numbers;
it never asserts. Goal (issue 18): >= 100 flows/h on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the fixture sites live in the tests package, beside src/
    sys.path.insert(0, str(ROOT))

from tests.observe.conftest import _Servers  # noqa: E402
from tests.observe.sites.apps import Hits, faulty_site, fixed_site, mobile_site, third_party_site  # noqa: E402

from consentgate.observe.browser import launch_browser, new_context  # noqa: E402
from consentgate.observe.run import OBSERVATION_FILE, ObserveOptions, TargetResult, run_batch  # noqa: E402

GOAL_FLOWS_PER_HOUR = 100
SITES = ("faulty", "fixed", "mobile")
IDLE_SETTLE = 1.5  # seconds a freshly launched browser is left alone before its idle RSS is read
DRIVER = "node"  # the Playwright driver's process name ("node-MainThread")
BROWSER = "chrom"  # Chromium's processes; anything else under us (Ray's) is counted apart


# ---------------------------------------------------------------- the sites and the targets


@contextmanager
def served_sites() -> Iterator[dict[str, str]]:
    """The three flows on 127.0.0.1 and their third party on 127.0.0.2, as the observe tests serve them."""
    servers = _Servers()
    try:
        third = servers.serve(third_party_site(Hits()), "127.0.0.2")
        yield {
            "faulty": servers.serve(faulty_site(third), "127.0.0.1") + "/signup",
            "fixed": servers.serve(fixed_site(), "127.0.0.1") + "/signup",
            "mobile": servers.serve(mobile_site(third), "127.0.0.1") + "/signup",
        }
    finally:
        servers.stop()


def make_targets(sites: dict[str, str], n: int) -> list[tuple[str, str]]:
    """(site, url) for N targets cycling the three sites, each with a distinct query string."""
    return [(SITES[i % 3], f"{sites[SITES[i % 3]]}?bench={i}") for i in range(n)]


# ---------------------------------------------------------------- memory, from /proc


def _status(pid: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    except OSError:
        pass
    return fields


def _kib(fields: dict[str, str], key: str) -> int:
    value = fields.get(key, "0 kB").split()
    return int(value[0]) if value else 0


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (through /proc/<pid>/task/<tid>/children)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in children:
                found.append(int(child))
                todo.append(int(child))
    return found


@dataclass
class TreeSample:
    browser_rss_kib: int = 0
    browser_pss_kib: int = 0
    driver_rss_kib: int = 0
    browser_processes: int = 0
    other_rss_kib: int = 0  # neither Chromium nor the driver: Ray's processes and workers


def sample_tree(with_pss: bool = True) -> TreeSample:
    sample = TreeSample()
    for pid in descendants(os.getpid()):
        fields = _status(pid)
        if not fields:
            continue
        rss = _kib(fields, "VmRSS")
        name = fields.get("Name", "")
        if name.startswith(DRIVER):
            sample.driver_rss_kib += rss
            continue
        if not name.startswith(BROWSER):
            sample.other_rss_kib += rss
            continue
        sample.browser_rss_kib += rss
        sample.browser_processes += 1
        if with_pss:
            sample.browser_pss_kib += _pss_kib(pid)
    return sample


def reset_own_peak() -> bool:
    """Reset this process's VmHWM (Linux >= 4.0: write 5 to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def own_peak_kib() -> int:
    return _kib(_status(os.getpid()), "VmHWM")


class Sampler:
    """Samples the process tree in a thread and keeps the largest sums seen."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.peak = TreeSample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = sample_tree()
            peak = self.peak
            peak.browser_rss_kib = max(peak.browser_rss_kib, now.browser_rss_kib)
            peak.browser_pss_kib = max(peak.browser_pss_kib, now.browser_pss_kib)
            peak.driver_rss_kib = max(peak.driver_rss_kib, now.driver_rss_kib)
            peak.browser_processes = max(peak.browser_processes, now.browser_processes)
            peak.other_rss_kib = max(peak.other_rss_kib, now.other_rss_kib)
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- one phase


@dataclass
class Phase:
    name: str
    jobs: int
    flows: int
    wall_s: float
    walk_s: list[float]
    end_to_end_s: list[float]
    own_peak_kib: int
    browser: TreeSample
    observed: int = 0
    failed: int = 0
    findings: dict[str, list[int]] = field(default_factory=dict)  # site -> open findings per target

    @property
    def per_hour(self) -> float:
        return self.flows / self.wall_s * 3600


def observe_phase(
    name: str, targets: list[tuple[str, str]], jobs: int, device: str | None, ms: int, *, ray: bool = False
) -> Phase:
    """One real batch: run_batch over every target (on Ray with `ray`), timed, its process tree sampled."""
    site_of = dict((url, site) for site, url in targets)
    finished: dict[str, datetime] = {}

    def progress(result: TargetResult) -> None:
        finished[result.target] = datetime.now(UTC)

    options = ObserveOptions(device=device, jobs=jobs, ray=ray)
    reset_own_peak()
    with (
        tempfile.TemporaryDirectory(prefix="consentgate-bench-observe-") as root,
        Sampler(ms / 1000) as sampler,
    ):
        start = time.perf_counter()
        batch = run_batch([url for _, url in targets], options, root=Path(root), progress=progress)
        wall = time.perf_counter() - start
        walks, ends = [], []
        for result in batch.results:
            path = result.folder / OBSERVATION_FILE
            if not path.exists():
                continue
            seen = json.loads(path.read_text("utf-8"))
            began = datetime.fromisoformat(seen["started_at"])
            walks.append((datetime.fromisoformat(seen["finished_at"]) - began).total_seconds())
            if result.target in finished:
                ends.append((finished[result.target] - began).total_seconds())
    phase = Phase(name, jobs, len(targets), wall, walks, ends, own_peak_kib(), sampler.peak)
    for result in batch.results:
        phase.observed += result.observed
        phase.failed += result.report.failed_to_load
        phase.findings.setdefault(site_of[result.target], []).append(len(result.report.active))
    return phase


async def _idle_browser() -> TreeSample:
    playwright, browser = await launch_browser()
    try:
        await asyncio.sleep(IDLE_SETTLE)
        return sample_tree()
    finally:
        await browser.close()
        await playwright.stop()


async def _peer(targets: list[str], jobs: int, device: str | None) -> list[float]:
    """PEER, not the real path: launch, then goto + content() of each target in a fresh context."""
    playwright, browser = await launch_browser()
    gate = asyncio.Semaphore(jobs)

    async def one(url: str) -> float:
        async with gate:
            began = time.perf_counter()
            context = await new_context(browser, device)
            try:
                page = await context.new_page()
                await page.goto(url, wait_until="load")
                await page.content()
            finally:
                await context.close()
            return time.perf_counter() - began

    try:
        return list(await asyncio.gather(*(one(u) for u in targets)))
    finally:
        await browser.close()
        await playwright.stop()


def peer_phase(targets: list[tuple[str, str]], jobs: int, device: str | None, ms: int) -> Phase:
    reset_own_peak()
    with Sampler(ms / 1000) as sampler:
        start = time.perf_counter()
        times = asyncio.run(_peer([url for _, url in targets], jobs, device))
        wall = time.perf_counter() - start
    return Phase("peer: goto+content", jobs, len(targets), wall, times, times, own_peak_kib(), sampler.peak)


def _ray_phases(
    targets: list[tuple[str, str]], jobs: int, device: str | None, ms: int
) -> tuple[Phase, Phase]:
    """Cold: the batch starts and stops its own Ray, as the command does. Sustained: a Ray already up."""
    import logging

    import ray

    cold = observe_phase("ray: cold", targets, jobs, device, ms, ray=True)
    ray.init(num_cpus=jobs, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        sustained = observe_phase("ray: sustained", targets, jobs, device, ms, ray=True)
    finally:
        ray.shutdown()
    return cold, sustained


def child(jobs: int, flows: int, device: str | None, ms: int, on_ray: bool = False) -> dict[str, Any]:
    """Everything for one --jobs level (or the Ray row), in this (fresh) process; returned as JSON-able data."""
    with served_sites() as sites:
        targets = make_targets(sites, flows)
        if on_ray:
            cold, sustained = _ray_phases(targets, jobs, device, ms)
        else:
            cold = observe_phase("observe: cold", targets, jobs, device, ms)
            sustained = observe_phase("observe: sustained", targets, jobs, device, ms)
        idle = asyncio.run(_idle_browser())
        peer = peer_phase(targets, jobs, device, ms)
    return {
        "jobs": jobs,
        "ray": on_ray,
        "phases": [asdict(p) for p in (cold, sustained, peer)],
        "idle": asdict(idle),
        "peak_resettable": reset_own_peak(),
    }


# ---------------------------------------------------------------- the report


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def _phase(data: dict[str, Any]) -> Phase:
    values = dict(data)
    values["browser"] = TreeSample(**values["browser"])
    return Phase(**values)


def report(levels: list[dict[str, Any]], flows: int, device: str | None, ms: int) -> None:
    print(
        f"consentgate observe benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f} at the end), device {device or 'desktop (none)'}, "
        f"{flows} flows per batch cycling {'/'.join(SITES)}, tree sampled every {ms} ms"
    )
    print(
        "walk = observation start..end (refuse + accept walks); e2e = walk start..reported (+ inference, audit)"
    )
    print()
    header = (
        f"{'jobs':>6} {'phase':<20} {'flows/h':>8} {'ratio':>6} {'wall s':>7} "
        f"{'walk p50':>8} {'p95':>6} {'max':>6} {'e2e p50':>7} {'p95':>6} {'max':>6} "
        f"{'py MiB':>6} {'br RSS':>6} {'br PSS':>6} {'node':>5} {'procs':>5} {'MiB/ctx':>7} {'ok':>5} {'other':>6}"
    )
    print(header)
    print("-" * len(header))
    summary: list[tuple[str, Phase, Phase]] = []
    for level in levels:
        jobs = level["jobs"]
        tag = f"{jobs} ray" if level.get("ray") else str(jobs)
        cold, sustained, peer = (_phase(p) for p in level["phases"])
        idle = TreeSample(**level["idle"])
        for phase in (cold, sustained, peer):
            ratio = phase.per_hour / peer.per_hour
            per_context = (phase.browser.browser_rss_kib - idle.browser_rss_kib) / jobs
            ok = f"{phase.observed}/{phase.flows}" if phase is not peer else "—"
            print(
                f"{tag:>6} {phase.name:<20} {phase.per_hour:>8,.0f} {ratio:>6.3f} {phase.wall_s:>7.1f} "
                f"{percentile(phase.walk_s, 50):>8.2f} {percentile(phase.walk_s, 95):>6.2f} "
                f"{max(phase.walk_s, default=float('nan')):>6.2f} "
                f"{percentile(phase.end_to_end_s, 50):>7.2f} {percentile(phase.end_to_end_s, 95):>6.2f} "
                f"{max(phase.end_to_end_s, default=float('nan')):>6.2f} "
                f"{_mib(phase.own_peak_kib):>6} {_mib(phase.browser.browser_rss_kib):>6} "
                f"{_mib(phase.browser.browser_pss_kib):>6} {_mib(phase.browser.driver_rss_kib):>5} "
                f"{phase.browser.browser_processes:>5} {per_context / 1024:>7,.0f} {ok:>5} "
                f"{_mib(phase.browser.other_rss_kib):>6}"
            )
        print(
            f"{'':>6} {'idle browser':<20} {'':>8} {'':>6} {'':>7} {'':>8} {'':>6} {'':>6} {'':>7} {'':>6} "
            f"{'':>6} {'':>6} {_mib(idle.browser_rss_kib):>6} {_mib(idle.browser_pss_kib):>6} "
            f"{_mib(idle.driver_rss_kib):>5} {idle.browser_processes:>5}"
        )
        summary.append((tag, cold, sustained))
    print()
    print(
        "ratio = phase flows/h / peer flows/h (same process, same jobs); py MiB = this process's VmHWM "
        "over the phase;\nbr RSS/PSS = peak of the summed VmRSS / Pss of Chromium's processes; node = the "
        "Playwright driver;\nMiB/ctx = (peak browser RSS - idle browser RSS) / jobs; ok = targets observed "
        "(the peer reads pages, it observes nothing);\nother = peak RSS of the other processes under us (on the ray rows: Ray's GCS, raylet and "
        "workers; there MiB/ctx is per task's own browser)"
    )
    print()
    print(
        "open findings per target, by site (sustained batch; the same in every batch if the walk is stable):"
    )
    for tag, _, sustained in summary:
        parts = []
        for site in SITES:
            counts = sustained.findings.get(site, [])
            if counts:
                spread = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
                parts.append(f"{site} {spread}")
        print(f"  jobs {tag}: " + ", ".join(parts) + f"; failed reports: {sustained.failed}")
    print()
    for tag, cold, sustained in summary:
        best = max(cold.per_hour, sustained.per_hour)
        verdict = (
            "meets"
            if min(cold.per_hour, sustained.per_hour) >= GOAL_FLOWS_PER_HOUR
            else ("meets (sustained only)" if best >= GOAL_FLOWS_PER_HOUR else "is below")
        )
        print(
            f"jobs {tag}: cold {cold.per_hour:,.0f} flows/h, sustained {sustained.per_hour:,.0f} flows/h "
            f"— {verdict} the goal of >= {GOAL_FLOWS_PER_HOUR} flows/h on 2 cores"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flows", type=int, default=50, help="targets per batch (default 50)")
    parser.add_argument("--jobs", default="1,2,4", help="comma-separated --jobs levels (default 1,2,4)")
    parser.add_argument(
        "--ray-jobs",
        type=int,
        default=2,
        help="CPUs of the local Ray for the Ray row (default 2; 0: no Ray row)",
    )
    parser.add_argument(
        "--device",
        default="iPhone 13",
        help='Playwright device for every walk (default "iPhone 13"; "none": desktop)',
    )
    parser.add_argument("--sample-ms", type=int, default=200, help="process-tree sampling interval")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-ray", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    device = None if args.device.lower() == "none" else args.device

    if args.child is not None:
        print(json.dumps(child(args.child, args.flows, device, args.sample_ms, args.child_ray)))
        return

    levels = []
    runs = [(int(j), False) for j in args.jobs.split(",") if j.strip()]
    if args.ray_jobs > 0:
        runs.append((args.ray_jobs, True))
    for jobs, on_ray in runs:
        print(
            f"-- jobs {jobs}{' on Ray' if on_ray else ''}: cold batch, sustained batch, idle browser, peer "
            f"({args.flows} flows each)",
            file=sys.stderr,
            flush=True,
        )
        command = [
            sys.executable,
            __file__,
            "--child",
            str(jobs),
            "--flows",
            str(args.flows),
            "--device",
            args.device,
            "--sample-ms",
            str(args.sample_ms),
            *(["--child-ray"] if on_ray else []),
        ]
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)  # stderr: through
        levels.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report(levels, args.flows, device, args.sample_ms)


if __name__ == "__main__":
    main()
