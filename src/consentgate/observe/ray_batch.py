"""The observe batch on Ray: one task per target, each with its own Chromium, retried when it crashes.

The local backend shares one browser between `jobs` contexts; on Ray a target is a task that launches
Playwright and Debian's Chromium in whichever worker runs it, walks, writes its evidence folder and
judges, and hands back only the small `TargetResult`. A local Ray (`jobs` CPUs, one per task) is
started unless an address names a cluster; there every node needs consentgate and Chromium, and the
evidence folder must be one that every node and this process see (a shared file system).

Ray retries a task whose worker died (`max_retries`) and one whose browser crashed (`BrowserCrashed`
in `retry_exceptions`); after the last try the target becomes a report naming the tries, and the
batch goes on. Results are taken as they complete (`ray.wait`), so the progress bar and the folders
on disk advance as with the local backend. Ray is imported only here, and only when asked for.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consentgate.errors import UsageError
from consentgate.observe.report import crashed
from consentgate.observe.run import (
    BatchResult,
    BrowserCrashed,
    ObserveOptions,
    TargetResult,
    check_device,
    crashed_after,
    folder_name,
    judge_safely,
    walk_alone,
)
from consentgate.text import Text

if TYPE_CHECKING:
    from types import ModuleType

RAY_RETRIES = 2  # after the first try: a dead worker or a crashed browser gets two more
RAY_TRIES = RAY_RETRIES + 1


def observe_one(target: str, options: ObserveOptions, root: Path, many: bool) -> TargetResult:
    """One Ray task: walk `target` in a browser of this worker's own, write its folder, judge it.

    `BrowserCrashed` is left to escape so that Ray tries again; anything else wrong is this target's
    report, since another try would break the same way."""
    folder = root / folder_name(target)
    try:
        observation = asyncio.run(walk_alone(target, folder, options))
    except BrowserCrashed:
        raise
    except Exception as problem:
        return TargetResult(target, crashed(target, problem), folder)
    return judge_safely(target, observation, folder, options, many)


def import_ray() -> ModuleType:
    """Ray, or a bilingual usage error saying how to install it (it is an optional extra)."""
    try:
        import ray
    except ImportError:
        raise UsageError.from_key("observe.error.no_ray") from None
    return ray


async def _devices() -> list[str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        return list(playwright.devices)


def _check_here(options: ObserveOptions) -> None:
    """What would fail every task alike is a usage error before any task starts."""
    if options.device is not None:
        check_device(options.device, asyncio.run(_devices()))
    if options.ray_address is None:
        from consentgate.observe.browser import CHROMIUM

        if not CHROMIUM.exists():
            raise UsageError.from_key("observe.no_chromium", path=str(CHROMIUM))


def _start(ray: ModuleType, options: ObserveOptions) -> bool:
    """Join the running Ray, the cluster at `ray_address`, or a local Ray; True if it was started here."""
    if ray.is_initialized():
        return False
    settings: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,  # a worker's output must never mix into a report on standard output
        "logging_level": logging.WARNING,
    }
    if options.ray_address is None:
        settings["num_cpus"] = max(1, options.jobs)
    else:
        settings["address"] = options.ray_address
    try:
        ray.init(**settings)
    except Exception as problem:
        where = options.ray_address or Text(zh="本机", en="local")
        raise UsageError.from_key(
            "observe.error.ray_unavailable", address=where, problem=f"{type(problem).__name__}: {problem}"
        ) from None
    return True


def _outcome(ray: ModuleType, ref: Any, target: str, root: Path) -> TargetResult:
    """The task's result, or a crashed report once Ray has given up on it (every try failed)."""
    folder = root / folder_name(target)
    try:
        result: TargetResult = ray.get(ref)
    except ray.exceptions.RayTaskError as failure:  # BrowserCrashed at the last try
        return TargetResult(target, crashed_after(target, RAY_TRIES, failure.cause or failure), folder)
    except ray.exceptions.RayError as failure:  # the worker, its node or its memory died each time
        return TargetResult(target, crashed_after(target, RAY_TRIES, failure), folder)
    return result


def run_on_ray(
    targets: list[str],
    options: ObserveOptions,
    *,
    root: Path,
    progress: Callable[[TargetResult], None] | None = None,
) -> BatchResult:
    """Every target as a Ray task, results in the targets' order, each reported as soon as it is done."""
    ray = import_ray()
    _check_here(options)
    # Ray's driver prints the cluster's error messages ("task failed, retrying") on standard output,
    # whatever `log_to_driver` says; standard output may be the JSON report, so they go to stderr.
    # A Ray started here is shut down inside this block, which joins the thread that prints them.
    with redirect_stdout(sys.stderr):
        return _run(ray, targets, options, root, progress)


def _run(
    ray: ModuleType,
    targets: list[str],
    options: ObserveOptions,
    root: Path,
    progress: Callable[[TargetResult], None] | None,
) -> BatchResult:
    started = _start(ray, options)
    try:
        task = ray.remote(num_cpus=1, max_retries=RAY_RETRIES, retry_exceptions=[BrowserCrashed])(observe_one)
        shared = ray.put(options)  # once in the object store, not once per task
        many = len(targets) > 1
        pending = {task.remote(t, shared, root, many): t for t in targets}
        waiting = list(pending)
        done: dict[str, TargetResult] = {}
        while waiting:
            ready, waiting = ray.wait(waiting, num_returns=1)
            for ref in ready:
                target = pending.pop(ref)
                done[target] = _outcome(ray, ref, target, root)
                if progress is not None:
                    progress(done[target])
        return BatchResult([done[t] for t in targets])
    finally:
        if started:
            ray.shutdown()
