"""The observe batch: walk every target in a shared browser, stream each observation to disk, judge it.

Up to `jobs` targets are walked at once, each in its own browser contexts on one shared Chromium
(an asyncio semaphore holds the rest back). As soon as a target finishes, its observation is written
as JSON next to its screenshots, inferred into a manifest and audited with the same engine as
`consentgate audit`; only the small report stays in memory. A target that cannot be observed, or on
which the browser breaks, becomes a report with a bilingual error, and the batch goes on.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from consentgate.audit.findings import ManifestReport
from consentgate.errors import UsageError
from consentgate.manifest.references import hint
from consentgate.observe.model import Observation
from consentgate.observe.report import audit_inferred, crashed, observed_at_all, unobserved

if TYPE_CHECKING:
    from playwright.async_api import Browser

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


async def _one(
    target: str, browser: Browser, root: Path, options: ObserveOptions, many: bool, gate: asyncio.Semaphore
) -> TargetResult:
    from consentgate.observe.walker import observe_target

    folder = root / folder_name(target)
    async with gate:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            observation = await observe_target(
                target, browser=browser, device=options.device, flow=options.flow, evidence_dir=folder
            )
        except Exception as problem:  # a crashed browser or walker: this target only, never the batch
            return TargetResult(target, crashed(target, problem), folder)
    try:
        return judge(target, observation, folder, options, many)
    except Exception as problem:  # inference or the audit broke on what was seen: reported, not fatal
        kept = observation if options.keep_observations else None
        return TargetResult(target, crashed(target, problem), folder, observed_at_all(observation), kept)


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
    try:
        check_device(options.device, playwright.devices)
        gate = asyncio.Semaphore(max(1, options.jobs))
        many = len(targets) > 1
        tasks = [asyncio.create_task(_one(t, browser, root, options, many, gate)) for t in targets]
        for task in asyncio.as_completed(tasks):
            result = await task
            if progress is not None:
                progress(result)
        return BatchResult([task.result() for task in tasks])
    finally:
        await browser.close()
        await playwright.stop()


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
    the browser starts only when some target is a URL."""
    from consentgate.observe.traces.run import is_trace_target, observe_trace

    urls = [t for t in targets if not is_trace_target(t)]
    done: dict[str, TargetResult] = {}
    if urls:
        walked = asyncio.run(observe_all(urls, options, root=root, progress=progress))
        done.update((r.target, r) for r in walked.results)
    for target in (t for t in targets if t not in done):
        done[target] = observe_trace(target, options, root=root, many=len(targets) > 1)
        if progress is not None:
            progress(done[target])
    return BatchResult([done[t] for t in targets])
