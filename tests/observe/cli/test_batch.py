"""The batch around the browser: concurrency bounded by --jobs on one shared browser, each result on
disk as soon as it is done, failures confined to their target, a dead browser relaunched and its
target tried once more, one manifest per target.

The browser (an outside process) and the walk that drives it are replaced in `sys.modules` by test
doubles that count how many run at once; inference and the audit are the real ones. The end-to-end
tests (`test_end_to_end.py`, and `test_batch_crash.py` for a browser that really dies) run
everything for real in Chromium."""

from __future__ import annotations

import asyncio
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from consentgate.observe.model import Observation
from consentgate.observe.run import OBSERVATION_FILE, ObserveOptions, TargetResult, folder_name, run_batch
from tests.observe.cli.builders import faulty_observation, unreachable_observation

GOOD = [f"http://127.0.0.1:800{i}/signup" for i in range(5)]
DEAD = "http://127.0.0.1:1/signup"
BROKEN = "http://127.0.0.1:2/signup"
KILLER = "http://127.0.0.1:3/signup"  # kills every browser it is walked on
FLAKY = "http://127.0.0.1:4/signup"  # kills the first browser it is walked on only


@dataclass(eq=False)  # each launch is a browser of its own, however alike
class _Browser:
    closed: bool = False
    connected: bool = True

    async def close(self) -> None:
        self.closed = True

    def is_connected(self) -> bool:
        return self.connected


@dataclass
class _Playwright:
    devices: dict[str, Any] = field(default_factory=lambda: {"iPhone 13": {}})
    stopped: bool = False

    async def stop(self) -> None:
        self.stopped = True


@dataclass
class _Calls:
    browser: _Browser = field(default_factory=_Browser)
    playwright: _Playwright = field(default_factory=_Playwright)
    running: int = 0
    most: int = 0
    browsers: set[int] = field(default_factory=set)
    devices: list[str | None] = field(default_factory=list)
    launched: list[_Browser] = field(default_factory=list)
    walked: list[tuple[str, int]] = field(default_factory=list)  # (target, which launched browser)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> _Calls:
    seen = _Calls()

    async def launch_browser() -> tuple[_Playwright, _Browser]:
        browser = seen.browser if not seen.launched else _Browser()
        seen.launched.append(browser)
        return seen.playwright, browser

    async def observe_target(
        target: str, *, browser: _Browser, device: str | None, flow: object, evidence_dir: Path
    ) -> Observation:
        seen.running += 1
        seen.most = max(seen.most, seen.running)
        seen.browsers.add(id(browser))
        seen.devices.append(device)
        seen.walked.append((target, seen.launched.index(browser)))
        await asyncio.sleep(0)  # let the others start: the semaphore, not luck, must bound them
        await asyncio.sleep(0)
        seen.running -= 1
        if target == BROKEN:
            raise RuntimeError("Target crashed")
        if target == KILLER or (target == FLAKY and [t for t, _ in seen.walked].count(FLAKY) == 1):
            browser.connected = False
            raise RuntimeError("Browser.new_context: Target page, context or browser has been closed")
        if target == DEAD:
            return unreachable_observation(target)
        return faulty_observation().model_copy(update={"target": target})

    for name, members in (
        ("consentgate.observe.browser", {"launch_browser": launch_browser}),
        ("consentgate.observe.walker", {"observe_target": observe_target}),
    ):
        module = types.ModuleType(name)
        module.__dict__.update(members)
        monkeypatch.setitem(sys.modules, name, module)
    return seen


def test_jobs_bound_the_contexts_on_one_shared_browser(calls: _Calls, tmp_path: Path) -> None:
    batch = run_batch(GOOD, ObserveOptions(jobs=2, device="iPhone 13"), root=tmp_path)
    assert calls.most == 2 and len(calls.browsers) == 1
    assert calls.devices == ["iPhone 13"] * len(GOOD)
    assert calls.browser.closed and calls.playwright.stopped
    assert [r.target for r in batch.results] == GOOD  # the targets' order, whatever finished first


def test_each_observation_is_on_disk_and_only_reports_stay_in_memory(calls: _Calls, tmp_path: Path) -> None:
    streamed: list[bool] = []

    def progress(result: TargetResult) -> None:
        streamed.append((result.folder / OBSERVATION_FILE).is_file())

    batch = run_batch(GOOD[:3], ObserveOptions(jobs=3), root=tmp_path, progress=progress)
    assert streamed == [True, True, True]
    assert all(r.observation is None and r.observed for r in batch.results)
    assert all(r.report.path == r.target and r.report.violations for r in batch.results)
    kept = run_batch(GOOD[:1], ObserveOptions(keep_observations=True), root=tmp_path / "kept")
    assert kept.results[0].observation is not None


def test_a_dead_or_crashing_target_never_stops_the_batch(calls: _Calls, tmp_path: Path) -> None:
    batch = run_batch([DEAD, GOOD[0], BROKEN], ObserveOptions(jobs=2), root=tmp_path)
    dead, good, broken = batch.results
    assert dead.report.failed_to_load and "connection refused" in dead.report.errors[0].en
    assert (
        "Target crashed" in broken.report.errors[0].en
        and "浏览器在此目标上出错" in broken.report.errors[0].zh
    )
    assert good.report.violations and not batch.nothing_observed
    assert (tmp_path / folder_name(DEAD) / OBSERVATION_FILE).is_file()


def test_a_dead_browser_is_relaunched_and_its_target_tried_once_more_in_a_browser_of_its_own(
    calls: _Calls, tmp_path: Path
) -> None:
    batch = run_batch([KILLER, GOOD[0], GOOD[1]], ObserveOptions(jobs=1), root=tmp_path)
    killer, *good = batch.results
    # launched: 0 the shared one, 1 its successor, 2 the killer's own for its second try
    assert calls.walked == [(KILLER, 0), (KILLER, 2), (GOOD[0], 1), (GOOD[1], 1)]
    assert "each of 2 tries" in killer.report.errors[0].en and "2 次尝试均失败" in killer.report.errors[0].zh
    assert all(r.observed and r.report.violations for r in good)
    assert all(b.closed for b in calls.launched)


def test_a_target_whose_browser_died_once_is_observed_on_its_second_try(
    calls: _Calls, tmp_path: Path
) -> None:
    flaky, good = run_batch([FLAKY, GOOD[0]], ObserveOptions(jobs=1), root=tmp_path).results
    assert flaky.observed and not flaky.report.errors and flaky.report.violations
    assert good.observed and calls.walked == [(FLAKY, 0), (FLAKY, 2), (GOOD[0], 1)]


def test_a_target_result_survives_pickling_as_ray_hands_it_back(calls: _Calls, tmp_path: Path) -> None:
    import pickle

    options = ObserveOptions(keep_observations=True, device="iPhone 13")
    result = run_batch(GOOD[:1], options, root=tmp_path).results[0]
    assert result.observation is not None and result.report.findings
    assert pickle.loads(pickle.dumps(result)) == result
    assert pickle.loads(pickle.dumps(options)) == options  # each Ray task gets the options too


def test_nothing_observed_when_every_target_failed(calls: _Calls, tmp_path: Path) -> None:
    assert run_batch([DEAD, BROKEN], ObserveOptions(), root=tmp_path).nothing_observed


def test_manifest_out_is_a_file_for_one_target_and_a_folder_for_several(
    calls: _Calls, tmp_path: Path
) -> None:
    one = tmp_path / "one.yaml"
    run_batch(GOOD[:1], ObserveOptions(manifest_out=one), root=tmp_path / "e1")
    assert (
        yaml.safe_load(one.read_text("utf-8"))["app"]["type"] == "other"
    )  # nothing declared: a service of unknown type
    many = tmp_path / "many"
    run_batch([*GOOD[:2], DEAD], ObserveOptions(manifest_out=many), root=tmp_path / "e2")
    assert sorted(p.name for p in many.iterdir()) == sorted(f"{folder_name(t)}.yaml" for t in GOOD[:2])


def test_an_unknown_device_stops_before_any_walk(calls: _Calls, tmp_path: Path) -> None:
    from consentgate.errors import UsageError

    with pytest.raises(UsageError):
        run_batch(GOOD, ObserveOptions(device="iPhone 31"), root=tmp_path)
    assert calls.devices == [] and calls.browser.closed


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from consentgate.cli.app import app
    from consentgate.cli.commands import register_all

    register_all()
    result = CliRunner().invoke(app, ["observe", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_the_command_reports_findings_and_errors_side_by_side(calls: _Calls, tmp_path: Path) -> None:
    import json

    html = tmp_path / "report.html"
    result = _cli(GOOD[0], DEAD, "--json", "-", "--html", str(html), "--evidence", str(tmp_path / "ev"))
    assert result.exit_code == 1
    manifests = json.loads(result.stdout)["manifests"]
    assert [m["path"] for m in manifests] == [GOOD[0], DEAD]
    assert any(f["evidence"] for f in manifests[0]["findings"]) and manifests[1]["errors"]
    assert "无法观察" in result.stderr and "could not be observed" in result.stderr
    assert "时间线" in html.read_text("utf-8")


def test_the_command_exits_2_when_nothing_could_be_observed(calls: _Calls) -> None:
    result = _cli(DEAD, "--lang", "en")
    assert result.exit_code == 2
    assert "could not be observed" in result.stderr and "无法观察" in result.stderr
