"""The observe batch: walk every target in a shared browser, stream each observation to disk, judge it.

Up to `jobs` targets are walked at once, each in its own browser contexts on one shared Chromium
(an asyncio semaphore holds the rest back). As soon as a target finishes, its observation is written
as JSON next to its screenshots, inferred into a manifest and audited with the same engine as
`consentgate audit` — in a worker thread, so the other walks go on meanwhile; only the small report
stays in memory. A target that cannot be observed, or on which the walker breaks, becomes a report
with a bilingual error, and the batch goes on. When the shared browser itself dies, it is relaunched
for the targets to come and the target is tried once more in a browser of its own; one that fails
twice is reported as crashed. `observe.ray_batch` runs the same steps as one Ray task per target.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from consentgate.audit.findings import ManifestReport
from consentgate.errors import UsageError
from consentgate.i18n import message
from consentgate.manifest.references import hint
from consentgate.observe.model import Observation, WalkEnd
from consentgate.observe.report import audit_inferred, crashed, observed_at_all, unobserved

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

    from consentgate.manifest.models import Manifest
    from consentgate.observe.flow import Flow
    from consentgate.observe.infer import Inferred
    from consentgate.observe.traces.timeline import Timeline

OBSERVATION_FILE = "observation.json"
MANIFEST_FILE = "manifest.yaml"


@dataclass(frozen=True)
class ObserveOptions:
    """Everything a walk needs besides its target; the same for every target of a batch."""

    device: str | None = None
    flow: Flow | None = None
    declared: Manifest | None = None
    evidence: Path | None = None  # the evidence folder; None: a temporary one for this run
    manifest_out: Path | None = None
    jobs: int = 2
    # Keep each observation in memory for a report that draws them (the observe HTML); otherwise only
    # the small reports stay, and a batch of any length runs in flat memory.
    keep_observations: bool = False
    # Trace targets (issue 19): the consent moment when the trace does not show it, the HAR request that
    # records the agreement, and the app's own package (its frames are the app's, not an SDK's).
    consent_at: datetime | None = None
    consent_request: str | None = None
    app_package: str | None = None
    # Run the batch on Ray: a local Ray with `jobs` CPUs, or the cluster at `ray_address`.
    ray: bool = False
    ray_address: str | None = None


@dataclass(frozen=True)
class TargetResult:
    """One target's outcome: its report, and where its observation and screenshots are on disk."""

    target: str
    report: ManifestReport
    folder: Path
    observed: bool = False  # the app was reached at all (some walk got past unreachable)
    observation: Observation | None = None  # kept only with `keep_observations`
    timeline: Timeline | None = None  # a trace target's timeline (small: it is what the trace folds into)


@dataclass
class BatchResult:
    results: list[TargetResult] = field(default_factory=list)

    @property
    def reports(self) -> list[ManifestReport]:
        return [r.report for r in self.results]

    @property
    def nothing_observed(self) -> bool:
        return not any(r.observed for r in self.results)


def check_target(target: str) -> str:
    """An http(s) URL with a host; anything else is a usage error before any browser starts."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError.from_key("observe.trace.error.bad_target", target=target)
    return target


def read_targets(targets: Iterable[str], urls: Path | None) -> list[str]:
    """The command line's targets, then those of the `--urls` file (one a line, `#` starts a comment)."""
    listed = list(targets)
    if urls is not None:
        try:
            lines = urls.read_text("utf-8").splitlines()
        except OSError as exc:
            raise UsageError.from_key(
                "observe.error.urls_unreadable", path=str(urls), problem=exc.strerror or str(exc)
            ) from None
        listed.extend(s for line in lines if (s := line.split("#", 1)[0].strip()))
    if not listed:
        raise UsageError.from_key("observe.error.no_targets")
    from consentgate.observe.traces.run import check_trace, is_trace_target

    return [check_trace(t) if is_trace_target(t) else check_target(t) for t in dict.fromkeys(listed)]


def check_device(device: str | None, known: Iterable[str]) -> None:
    names = list(known)
    if device is not None and device not in names:
        raise UsageError.from_key("observe.error.unknown_device", device=device, hint=hint(device, names))


def folder_name(target: str) -> str:
    """A readable, unique folder per target: host and path made safe, plus a short hash of the URL."""
    parts = urlsplit(target)
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{parts.hostname or ''}{parts.path}").strip("_")[:60]
    return f"{readable}-{hashlib.sha256(target.encode()).hexdigest()[:8]}"


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")


def _manifest_path(options: ObserveOptions, target: str, many: bool) -> Path | None:
    out = options.manifest_out
    if out is None:
        return None
    return out / f"{folder_name(target)}.yaml" if many else out


def judge(
    target: str, observation: Observation, folder: Path, options: ObserveOptions, many: bool
) -> TargetResult:
    """Write the observation, infer, audit; the part of a target's run that needs no browser."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / OBSERVATION_FILE).write_text(observation.model_dump_json(indent=2), "utf-8")
    kept = observation if options.keep_observations else None
    if not observed_at_all(observation):
        details = [w.end_detail for w in observation.walks if w.end_detail]
        return TargetResult(target, unobserved(target, details[0] if details else None), folder, False, kept)
    from consentgate.observe.infer import infer

    inferred = infer(observation, declared=options.declared)
    return TargetResult(target, conclude(target, inferred, options, many), folder, True, kept)


def conclude(target: str, inferred: Inferred, options: ObserveOptions, many: bool) -> ManifestReport:
    """The tail every source shares: write the inferred manifest where asked, and audit it."""
    manifest_path = _manifest_path(options, target, many)
    if manifest_path is not None:
        _write_manifest(manifest_path, inferred.manifest)
    return audit_inferred(target, inferred.manifest, inferred.evidence)


class BrowserCrashed(Exception):
    """The browser died under a target: its process was killed, ran out of memory, or its connection
    was lost. A fresh browser may well get through, so both backends try such a target again; any other
    error is the target's own (or ours) and is reported at once."""


LOCAL_TRIES = 2  # the local backend: the shared browser, then once more in a browser of its own


def _broke(browser: Browser) -> bool:
    return not browser.is_connected()


async def walk(target: str, browser: Browser, folder: Path, options: ObserveOptions) -> Observation:
    """Walk one target on `browser`, raising `BrowserCrashed` when the browser died under the walk."""
    from consentgate.observe.walker import observe_target

    folder.mkdir(parents=True, exist_ok=True)
    try:
        observation = await observe_target(
            target, browser=browser, device=options.device, flow=options.flow, evidence_dir=folder
        )
    except Exception as problem:
        if _broke(browser) or type(problem).__name__ == "TargetClosedError":
            raise BrowserCrashed(f"{type(problem).__name__}: {problem}") from problem
        raise
    # The walker reports a target's problems on the walk; a walk cut short by a dead browser is the
    # browser's problem, not what the app did, so it is not judged.
    cut_short = [w for w in observation.walks if w.end is not WalkEnd.COMPLETED]
    if cut_short and _broke(browser):
        raise BrowserCrashed(cut_short[0].end_detail or cut_short[0].end.value)
    return observation


async def walk_alone(target: str, folder: Path, options: ObserveOptions) -> Observation:
    """`walk` in a browser of its own, launched and closed here: a retry, or a Ray worker's target."""
    from consentgate.observe.browser import launch_browser

    try:
        playwright, browser = await launch_browser()
    except UsageError:
        raise
    except Exception as problem:  # Chromium would not start: as good as a crash, worth another try
        raise BrowserCrashed(f"{type(problem).__name__}: {problem}") from problem
    try:
        return await walk(target, browser, folder, options)
    finally:
        with suppress(Exception):
            await browser.close()
        with suppress(Exception):
            await playwright.stop()


def crashed_after(target: str, tries: int, problem: BaseException | str) -> ManifestReport:
    """A target on which the browser (or the worker driving it) died at every try."""
    if isinstance(problem, str | BrowserCrashed):
        detail = str(problem)  # a BrowserCrashed already names what broke
    else:
        detail = f"{type(problem).__name__}: {problem}"
    first = detail.strip().splitlines()[0][:300] if detail.strip() else "—"
    text = message("observe.error.crashed_tries", target=target, tries=tries, detail=first)
    return ManifestReport(path=target, app=None, errors=(text,))


def judge_safely(
    target: str, observation: Observation, folder: Path, options: ObserveOptions, many: bool
) -> TargetResult:
    """`judge`, with inference or the audit breaking on what was seen reported rather than fatal."""
    try:
        return judge(target, observation, folder, options, many)
    except Exception as problem:
        kept = observation if options.keep_observations else None
        return TargetResult(target, crashed(target, problem), folder, observed_at_all(observation), kept)


@dataclass
class _SharedBrowser:
    """The one Chromium of a local batch, relaunched (once, whoever notices first) when it dies."""

    playwright: Playwright
    browser: Browser
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def current(self) -> Browser:
        async with self.lock:  # never hand out the dead one while its successor is starting
            return self.browser

    async def relaunch(self, dead: Browser) -> None:
        from consentgate.observe.browser import launch_browser

        async with self.lock:
            if self.browser is not dead:
                return  # another target saw it die first and has relaunched it
            await self._close()
            self.playwright, self.browser = await launch_browser()

    async def _close(self) -> None:
        with suppress(Exception):
            await self.browser.close()
        with suppress(Exception):
            await self.playwright.stop()


async def _walk_or_retry(
    target: str, shared: _SharedBrowser, folder: Path, options: ObserveOptions
) -> Observation:
    """On the shared browser; if it died, relaunch it for the targets to come and retry this one once in
    a browser of its own, so that a target which kills every browser cannot take the others down twice."""
    browser = await shared.current()
    try:
        return await walk(target, browser, folder, options)
    except BrowserCrashed:
        await shared.relaunch(browser)
    return await walk_alone(target, folder, options)


async def _one(
    target: str,
    shared: _SharedBrowser,
    root: Path,
    options: ObserveOptions,
    many: bool,
    gate: asyncio.Semaphore,
) -> TargetResult:
    folder = root / folder_name(target)
    async with gate:
        try:
            observation = await _walk_or_retry(target, shared, folder, options)
        except BrowserCrashed as problem:
            return TargetResult(target, crashed_after(target, LOCAL_TRIES, problem), folder)
        except Exception as problem:  # a broken walker: this target only, never the batch
            return TargetResult(target, crashed(target, problem), folder)
    # Inference and the audit are CPU work: off the event loop, so that the other walks keep going.
    return await asyncio.to_thread(judge_safely, target, observation, folder, options, many)


async def observe_all(
    targets: list[str],
    options: ObserveOptions,
    *,
    root: Path,
    progress: Callable[[TargetResult], None] | None = None,
) -> BatchResult:
    """Every target on one shared browser, at most `options.jobs` at a time, in the targets' order."""
    from consentgate.observe.browser import launch_browser

    playwright, browser = await launch_browser()
    shared = _SharedBrowser(playwright, browser)
    try:
        check_device(options.device, playwright.devices)
        gate = asyncio.Semaphore(max(1, options.jobs))
        many = len(targets) > 1
        tasks = [asyncio.create_task(_one(t, shared, root, options, many, gate)) for t in targets]
        for task in asyncio.as_completed(tasks):
            result = await task
            if progress is not None:
                progress(result)
        return BatchResult([task.result() for task in tasks])
    finally:
        await shared._close()


@contextmanager
def evidence_root(options: ObserveOptions) -> Iterator[Path]:
    """The evidence folder: `--evidence DIR`, or a temporary one that lives as long as the block, so
    that the reports embedding screenshots are written before it goes."""
    if options.evidence is not None:
        options.evidence.mkdir(parents=True, exist_ok=True)
        yield options.evidence
        return
    with tempfile.TemporaryDirectory(prefix="consentgate-observe-") as tmp:
        yield Path(tmp)


def run_batch(
    targets: list[str],
    options: ObserveOptions,
    *,
    root: Path,
    progress: Callable[[TargetResult], None] | None = None,
) -> BatchResult:
    """The synchronous entry point of the command. Trace files are read in this process, without a browser;
    URLs are walked on Ray with `options.ray`, else on this machine, and the browser starts only when some
    target is a URL."""
    from consentgate.observe.traces.run import is_trace_target, observe_trace

    urls = [t for t in targets if not is_trace_target(t)]
    done: dict[str, TargetResult] = {}
    if urls:
        walked = _walk_urls(urls, options, root=root, progress=progress)
        done.update((r.target, r) for r in walked.results)
    for target in (t for t in targets if t not in done):
        done[target] = observe_trace(target, options, root=root, many=len(targets) > 1)
        if progress is not None:
            progress(done[target])
    return BatchResult([done[t] for t in targets])


def _walk_urls(
    urls: list[str],
    options: ObserveOptions,
    *,
    root: Path,
    progress: Callable[[TargetResult], None] | None,
) -> BatchResult:
    if options.ray:
        from consentgate.observe.ray_batch import run_on_ray

        return run_on_ray(urls, options, root=root, progress=progress)
    return asyncio.run(observe_all(urls, options, root=root, progress=progress))
