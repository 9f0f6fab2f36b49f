"""`consentgate observe --ray`: the batch as Ray tasks on a real local Ray, in Debian's Chromium.

One `--ray --jobs 2` batch runs once for the whole module, on the local Ray (2 CPUs) the command
starts and stops itself, as a user's run does: the three fixture flows, a target that kills the
visiting browser and one that kills the Ray worker driving it (`crash_site.py`: real SIGKILLs, nothing
of ours patched). The same three flows also run on the local backend, and each test reads one
property off the two batches.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.observe.ray_batch import RAY_TRIES
from consentgate.observe.run import OBSERVATION_FILE, folder_name
from tests.observe.cli.crash_site import Kills, crash_site
from tests.observe.conftest import Sites, _Servers

register_all()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium"),
]
ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Batch:
    code: int
    report: dict[str, Any]
    stderr: str
    evidence: Path

    def manifest(self, target: str) -> dict[str, Any]:
        return next(m for m in self.report["manifests"] if m["path"] == target)

    def findings(self, target: str) -> list[tuple[str, str, str]]:
        found = self.manifest(target)["findings"]
        return sorted((f["rule_id"], f["status"], f["location"]["pointer"]) for f in found)


@dataclass(frozen=True)
class Crashers:
    browser: str
    worker: str
    kills: Kills


def _observe(evidence: Path, *args: str) -> Batch:
    result = CliRunner().invoke(
        app, ["observe", *args, "--device", "iPhone 13", "--evidence", str(evidence), "--json", "-"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return Batch(result.exit_code, json.loads(result.stdout), result.stderr, evidence)


@pytest.fixture(scope="module")
def crashers(servers: _Servers) -> Crashers:
    kills = Kills()
    base = servers.serve(crash_site(kills), "127.0.0.1")
    return Crashers(f"{base}/browser/signup", f"{base}/worker/signup", kills)


def _flows(sites: Sites) -> list[str]:
    return [sites.faulty, sites.fixed, sites.mobile]


@pytest.fixture(scope="module")
def on_ray(sites: Sites, crashers: Crashers, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    targets = [sites.faulty, crashers.browser, sites.fixed, crashers.worker, sites.mobile]
    return _observe(tmp_path_factory.mktemp("ray"), "--ray", "--jobs", "2", *targets)


@pytest.fixture(scope="module")
def locally(sites: Sites, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return _observe(tmp_path_factory.mktemp("local"), "--jobs", "2", *_flows(sites))


def test_ray_finds_exactly_what_the_local_batch_finds(on_ray: Batch, locally: Batch, sites: Sites) -> None:
    for target in _flows(sites):
        assert on_ray.findings(target) == locally.findings(target), target
    assert any(f[1] == "violation" for f in on_ray.findings(sites.faulty))
    assert on_ray.code == locally.code == 1  # the faulty flow's findings; the crashes do not hide them


def test_a_target_that_crashes_its_browser_is_retried_then_reported(
    on_ray: Batch, crashers: Crashers
) -> None:
    killed = [k for k in crashers.kills.done if k[0] == "/browser/signup"]
    assert len(killed) == RAY_TRIES and all(name.startswith("chrom") for _, _, name in killed)
    assert len({pid for _, pid, _ in killed}) == RAY_TRIES  # a fresh browser at every try
    errors = on_ray.manifest(crashers.browser)["errors"]
    assert f"each of {RAY_TRIES} tries" in errors[0]["en"] and f"{RAY_TRIES} 次尝试均失败" in errors[0]["zh"]
    assert "closed" in errors[0]["en"]  # what broke: the browser went away under the walk


def test_a_target_that_kills_its_worker_is_retried_then_reported(on_ray: Batch, crashers: Crashers) -> None:
    killed = [k for k in crashers.kills.done if k[0] == "/worker/signup"]
    assert len(killed) == RAY_TRIES and all(name.startswith("ray::") for _, _, name in killed)
    errors = on_ray.manifest(crashers.worker)["errors"]
    assert "WorkerCrashedError" in errors[0]["en"] and f"each of {RAY_TRIES} tries" in errors[0]["en"]
    assert "崩溃" in on_ray.stderr and "crashed" in on_ray.stderr  # printed in both languages too


def test_every_other_target_is_reported_in_order_and_on_disk(
    on_ray: Batch, sites: Sites, crashers: Crashers
) -> None:
    paths = [m["path"] for m in on_ray.report["manifests"]]
    assert paths == [sites.faulty, crashers.browser, sites.fixed, crashers.worker, sites.mobile]
    for target in _flows(sites):
        assert not on_ray.manifest(target)["errors"]
        assert (on_ray.evidence / folder_name(target) / OBSERVATION_FILE).is_file()
        assert list((on_ray.evidence / folder_name(target)).glob("*.png"))


def test_an_unknown_device_stops_a_ray_batch_before_ray_starts(tmp_path: Path) -> None:
    import ray

    result = CliRunner().invoke(app, ["observe", "--ray", "--device", "iPhone 31", "http://127.0.0.1:1/x"])
    assert result.exit_code == 2 and "iPhone 13" in result.stderr  # the did-you-mean
    assert not ray.is_initialized()


def _without_ray(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a fresh interpreter where `import ray` fails, as on an install without the extra."""
    code = (
        "import sys; sys.modules['ray'] = None\n"
        "from consentgate.cli import main\n"
        f"sys.argv = ['consentgate', 'observe', *{list(args)!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120
    )


@pytest.mark.parametrize("option", [["--ray"], ["--ray-address", "127.0.0.1:6379"]])
def test_ray_without_ray_installed_is_a_bilingual_usage_error(option: list[str]) -> None:
    done = _without_ray(*option, "http://127.0.0.1:1/signup")
    assert done.returncode == 2, done.stderr
    assert "consentgate[ray]" in done.stderr
    assert "needs Ray" in done.stderr and "需要 Ray" in done.stderr
    assert "Traceback" not in done.stderr
