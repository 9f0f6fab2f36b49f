"""`consentgate observe` end to end against the fixture sites, in Debian's Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.manifest.loader import parse_manifest
from tests.observe.conftest import Sites

register_all()
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")

UNREACHABLE = "http://127.0.0.1:1/signup"
# The operator's declaration that it is a learning app: what lets necessity be judged.
DECLARED = (
    Path(__file__).parents[1] / "sites" / "declared-learning.yaml"
)  # nothing listens on port 1: connection refused


def _observe(*args: str) -> Result:
    result = CliRunner().invoke(app, ["observe", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _json(*args: str) -> tuple[int, dict[str, Any]]:
    result = _observe(*args, "--json", "-")
    return result.exit_code, json.loads(result.stdout)


def test_faulty_flow_on_a_phone_reports_its_faults_with_evidence(sites: Sites, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    html = tmp_path / "report.html"
    code, report = _json(
        sites.faulty,
        "--device",
        "iPhone 13",
        "--against",
        str(DECLARED),
        "--evidence",
        str(evidence),
        "--html",
        str(html),
    )
    assert code == 1
    manifest = report["manifests"][0]
    assert manifest["path"] == sites.faulty
    ids = {f["rule_id"] for f in manifest["findings"]}
    assert "CG-PIPL-016-FORCED-COLLECTION" in ids
    assert {
        "CG-AVIM-035-SETTING-CHANGED",  # 个性化推荐 switched off, shown on again after a reload
        "CG-AVIM-013-POLICY-TOO-MANY-TAPS",  # five taps from the home it lands on
        "CG-AVIM-023-PURPOSE-NOT-SHOWN",  # location asked with no word of what for
    } <= ids
    taps = next(f for f in manifest["findings"] if f["rule_id"] == "CG-AVIM-013-POLICY-TOO-MANY-TAPS")
    assert "5" in taps["message"]["en"]
    evidenced = [e for f in manifest["findings"] for e in f["evidence"]]
    assert any(e["kind"] == "request" for e in evidenced)
    assert any(e["kind"] == "permission" for e in evidenced)
    assert any(e["screenshot"] and (next(evidence.iterdir()) / e["screenshot"]).is_file() for e in evidenced)
    page = html.read_text("utf-8")
    assert "data:image/png;base64," in page and "127.0.0.2" in page and "<script" not in page
    assert any(hit[1] == "/collect" for hit in sites.hits.seen)


def test_fixed_flow_reports_nothing_at_medium_or_above(sites: Sites) -> None:
    code, report = _json(sites.fixed, "--device", "iPhone 13")
    assert code == 0, report["manifests"][0]["findings"]
    assert report["summary"]["findings"]["high"] == 0 and report["summary"]["findings"]["medium"] == 0


def test_mobile_only_flow_shows_its_faults_only_to_a_phone(sites: Sites) -> None:
    phone_code, phone = _json(sites.mobile, "--device", "iPhone 13")
    assert phone_code == 1
    _, desktop = _json(sites.mobile)
    assert len(desktop["manifests"][0]["findings"]) < len(phone["manifests"][0]["findings"])


def test_manifest_out_is_a_manifest_the_audit_accepts(sites: Sites, tmp_path: Path) -> None:
    out = tmp_path / "observed.yaml"
    _observe(sites.faulty, "--manifest-out", str(out), "--text", str(tmp_path / "r.txt"))
    parse_manifest(out.read_text("utf-8"), str(out))
    assert yaml.safe_load(out.read_text("utf-8"))["data"]


def test_a_batch_goes_on_past_an_unreachable_target(sites: Sites, tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# two flows and a dead host\n{sites.faulty}\n{UNREACHABLE}\n{sites.fixed}\n", "utf-8")
    evidence = tmp_path / "evidence"
    code, report = _json(
        "--urls", str(urls), "--jobs", "2", "--evidence", str(evidence), "--manifest-out", str(tmp_path / "m")
    )
    assert code == 1  # the faulty flow's findings; the dead host is an error beside them
    paths = [m["path"] for m in report["manifests"]]
    assert paths == [sites.faulty, UNREACHABLE, sites.fixed]
    dead = report["manifests"][1]
    assert (
        dead["errors"]
        and "无法观察" in dead["errors"][0]["zh"]
        and "could not be observed" in dead["errors"][0]["en"]
    )
    assert len(list(evidence.glob("*/observation.json"))) == 3
    assert len(list((tmp_path / "m").glob("*.yaml"))) == 2


def test_nothing_observed_exits_2_with_a_bilingual_error() -> None:
    result = _observe(UNREACHABLE)
    assert result.exit_code == 2
    assert "无法观察" in result.stderr and "could not be observed" in result.stderr


def test_an_unknown_device_is_a_bilingual_usage_error(sites: Sites) -> None:
    result = _observe(sites.fixed, "--device", "iPhone 31")
    assert result.exit_code == 2
    assert "未知设备" in result.stderr and "iPhone 13" in result.stderr
