"""The local batch when its shared Chromium really dies: a fixture site SIGKILLs the browser that visits
it (`crash_site.py`), so every walk on that browser breaks at once, as after an out-of-memory kill.

The browser is relaunched for the targets still to come, and each target that was on it is tried once
more in a browser of its own; the target that kills every browser is reported after its two tries,
and the others are observed as if nothing had happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.observe.run import LOCAL_TRIES, ObserveOptions, TargetResult, run_batch
from tests.observe.cli.crash_site import Kills, crash_site
from tests.observe.conftest import Sites, _Servers

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")


def test_a_browser_killed_under_the_batch_costs_only_the_target_that_killed_it(
    servers: _Servers, sites: Sites, tmp_path: Path
) -> None:
    kills = Kills()
    killer = servers.serve(crash_site(kills), "127.0.0.1") + "/browser/signup"
    # jobs 2: the fixed flow starts beside the killer on the browser that dies, the faulty one after.
    targets = [killer, sites.fixed, sites.faulty]
    batch = run_batch(targets, ObserveOptions(jobs=2), root=tmp_path)
    crashed, fixed, faulty = batch.results
    assert len(kills.done) == LOCAL_TRIES and len({pid for _, pid, _ in kills.done}) == LOCAL_TRIES
    error = crashed.report.errors[0]
    assert f"each of {LOCAL_TRIES} tries" in error.en and f"{LOCAL_TRIES} 次尝试均失败" in error.zh
    undisturbed = run_batch([sites.fixed, sites.faulty], ObserveOptions(jobs=2), root=tmp_path / "calm")
    for result, calm in zip((fixed, faulty), undisturbed.results, strict=True):
        assert result.observed and not result.report.errors
        assert _findings(result) == _findings(calm), result.target
    assert faulty.report.violations


def _findings(result: TargetResult) -> list[tuple[str, bool, str]]:
    return sorted((f.rule_id, f.unconfirmed, f.location.pointer) for f in result.report.findings)
