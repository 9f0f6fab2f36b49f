"""`consentgate observe TRACE`: end to end through the command, on trace files written as their producers
write them: findings with the rows as evidence, a clean trace passing, an old camille export unconfirmed
until `--consent-at` makes it judgeable, a HAR beacon before the consent request, and damaged files
refused with bilingual, located errors (exit 2)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner, Result

from consentgate.audit.report.json_schema import report_schema
from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.observe.browser import CHROMIUM
from consentgate.observe.traces.run import TIMELINE_FILE
from tests.observe.conftest import Sites
from tests.observe.traces.writers import (
    CamilleRow,
    HarRequest,
    camille_stack,
    camille_time,
    write_camille,
    write_har,
)

register_all()
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

T0 = datetime(2026, 3, 1, 9, 5, 3)  # camille writes local times without a zone: read as UTC
UMENG_IMEI = camille_stack(
    [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:120)",
        "com.example.app.App.onCreate(App.java:31)",
    ]
)
APP_IMEI = camille_stack(
    [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.example.app.Login.device(Login.java:9)",
    ]
)
DECLARED = """\
app: {name: 示例阅读, type: other, basic_service: 在线阅读, necessary_data: [device.identifiers]}
data: [{id: device-id, category: device.identifiers}]
purposes:
  - {id: reading, kind: basic-function, basis: contract-necessity, data: [device-id]}
"""


def imei_row(seconds: int, *, status: str = "同意隐私政策前", by_sdk: bool = True) -> CamilleRow:
    return CamilleRow(
        privacy_policy_status=status,
        alert_time=camille_time(T0 + timedelta(seconds=seconds)),
        subject_type="友盟+" if by_sdk else "APP本身",
        action="获取电话相关信息",
        messages="获取IMEI",
        stacks=UMENG_IMEI if by_sdk else APP_IMEI,
    )


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def observe(*args: str) -> Result:
    result = CliRunner().invoke(app, ["observe", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    (manifest,) = data["manifests"]
    return manifest


def violations(manifest: dict[str, Any], *, at_least_medium: bool = False) -> list[dict[str, Any]]:
    found = [f for f in manifest["findings"] if f["status"] == "violation"]
    return [f for f in found if f["severity"] in ("high", "medium")] if at_least_medium else found


def test_sdks_reading_identifiers_before_consent_are_findings_with_the_rows_as_evidence(
    tmp_path: Path,
) -> None:
    rows = [imei_row(0), imei_row(1), imei_row(2), imei_row(60, status="同意隐私政策后", by_sdk=False)]
    trace = write_camille(tmp_path / "camille.xls", rows)
    (tmp_path / "app.yaml").write_text(DECLARED, "utf-8")
    result = observe(
        str(trace), "--against", "app.yaml", "--json", "r.json", "--html", "r.html", "--evidence", "ev"
    )
    assert result.exit_code == 1, result.output
    jsonschema.validate(json.loads((tmp_path / "r.json").read_text("utf-8")), report_schema())
    manifest = report(tmp_path / "r.json")
    (sdk,) = [f for f in violations(manifest) if f["rule_id"] == "CG-AVIM-053-SDK-WITHOUT-CONSENT"]
    assert "友盟同欣（北京）科技有限公司" in sdk["message"]["zh"] and "AVIM-5.1" in sdk["citations"]
    assert [(e["kind"], e["walk"], e["seq"]) for e in sdk["evidence"]] == [
        ("trace", "camille.xls", 2),
        ("trace", "camille.xls", 3),
        ("trace", "camille.xls", 4),
    ]
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "<svg" in html and "<script" not in html and "友盟+ 统计分析 SDK" in html
    strip = html[html.index("友盟+ 统计分析 SDK</strong>") :]
    strip = strip[: strip.index("</svg>")]
    assert 'class="before"' in strip and 'class="consent"' in strip  # its reads drawn before the consent line
    assert "http://" not in html and "https://" not in html.replace(
        "https://www.w3.org", ""
    )  # nothing fetched
    (folder,) = (tmp_path / "ev").iterdir()
    summary = json.loads((folder / TIMELINE_FILE).read_text("utf-8"))
    assert summary["format"] == "camille" and summary["events"] == 4 and summary["consent"]["row"] == 5


def test_a_clean_trace_reports_nothing_at_medium_or_above(tmp_path: Path) -> None:
    rows = [imei_row(60 + i, status="同意隐私政策后", by_sdk=False) for i in range(3)]
    trace = write_camille(tmp_path / "clean.xls", rows)
    (tmp_path / "app.yaml").write_text(DECLARED, "utf-8")
    result = observe(str(trace), "--against", "app.yaml", "--json", "r.json")
    assert result.exit_code == 0, result.output
    assert violations(report(tmp_path / "r.json"), at_least_medium=True) == []


def test_an_old_camille_export_without_phases_is_unconfirmed_until_consent_at_makes_it_judgeable(
    tmp_path: Path,
) -> None:
    trace = write_camille(tmp_path / "old.xls", [imei_row(0), imei_row(5)], layout="2022-06")
    unsure = observe(str(trace), "--json", "unsure.json")
    assert unsure.exit_code == 0, unsure.output
    manifest = report(tmp_path / "unsure.json")
    assert violations(manifest) == []
    assert "CG-AVIM-053-SDK-WITHOUT-CONSENT" in {f["rule_id"] for f in manifest["unconfirmed"]}

    consent_at = (T0 + timedelta(seconds=3)).isoformat()
    judged = observe(str(trace), "--consent-at", consent_at, "--json", "judged.json")
    assert judged.exit_code == 1, judged.output
    (finding,) = [
        f for f in violations(report(tmp_path / "judged.json")) if f["rule_id"].startswith("CG-AVIM-053")
    ]
    assert [e["seq"] for e in finding["evidence"]] == [2]  # row 3 (5 s) came after the consent moment


def test_a_har_beacon_before_the_consent_request_is_data_sent_before_consent(tmp_path: Path) -> None:
    har = write_har(
        tmp_path / "capture.har",
        [
            HarRequest(
                started="2026-03-01T10:00:00+08:00", url="https://ulogs.umeng.com/unify_logs?imei=1&oaid=2"
            ),
            HarRequest(started="2026-03-01T10:00:05+08:00", url="https://app.example.cn/api/privacy/agree"),
            HarRequest(started="2026-03-01T10:00:06+08:00", url="https://ulogs.umeng.com/unify_logs?imei=1"),
        ],
    )
    result = observe(str(har), "--consent-request", "/privacy/agree", "--json", "r.json")
    assert result.exit_code == 1, result.output
    sent = [
        f
        for f in violations(report(tmp_path / "r.json"))
        if f["rule_id"] == "CG-AVIM-031-SENT-BEFORE-CONSENT"
    ]
    assert [[e["seq"] for e in f["evidence"]] for f in sent] == [[1]]


def test_a_truncated_export_is_exit_2_with_a_bilingual_message_naming_the_file(tmp_path: Path) -> None:
    whole = write_camille(tmp_path / "whole.xls", [imei_row(i) for i in range(150)]).read_bytes()
    cut = tmp_path / "cut.xls"
    cut.write_bytes(whole[: len(whole) // 2])
    result = observe(str(cut))
    assert result.exit_code == 2
    assert "cut.xls" in result.stderr and "damaged or cut short" in result.stderr and "损坏" in result.stderr


def test_a_bad_line_partway_is_that_targets_located_error_and_exit_2(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    trace.write_text('{"time": "2026-03-01T10:00:00Z", "kind": "consent"}\n{"time": "2026-03-01T1', "utf-8")
    result = observe(str(trace))
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "第 2 行" in result.stderr


def test_a_file_that_is_no_trace_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("meeting notes\n", "utf-8")
    result = observe("notes.txt")
    assert result.exit_code == 2 and "is not a trace" in result.stderr


def test_consent_at_that_is_not_a_time_is_a_bilingual_usage_error(tmp_path: Path) -> None:
    trace = write_camille(tmp_path / "old.xls", [imei_row(0)], layout="2022-06")
    result = observe(str(trace), "--consent-at", "after lunch")
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr and "不是 ISO 8601 时间" in result.stderr


@needs_chromium
def test_a_batch_mixes_a_url_walked_in_chromium_and_a_trace_in_the_targets_order(
    tmp_path: Path, sites: Sites
) -> None:
    trace = write_camille(tmp_path / "camille.xls", [imei_row(0), imei_row(1)])
    result = observe(str(trace), sites.fixed, "--json", "r.json")
    assert result.exit_code == 1, result.output  # the trace's SDK read identifiers before consent
    paths = [m["path"] for m in json.loads((tmp_path / "r.json").read_text("utf-8"))["manifests"]]
    assert paths == [str(trace), sites.fixed]
    manifests = json.loads((tmp_path / "r.json").read_text("utf-8"))["manifests"]
    assert manifests[1]["errors"] == [] and manifests[1]["app"] == "127.0.0.1"


@needs_chromium
def test_the_trace_picture_reads_on_a_phone_screen_without_sideways_scrolling(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    rows = [imei_row(i) for i in range(40)] + [
        imei_row(100 + i, status="同意隐私政策后", by_sdk=False) for i in range(40)
    ]
    trace = write_camille(tmp_path / "camille.xls", rows)
    assert observe(str(trace), "--html", "r.html", "--lang", "en").exit_code == 1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--disable-background-networking"]
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto((tmp_path / "r.html").as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            boxes = [svg.bounding_box() for svg in page.locator(".trace svg").all()]
            assert len(boxes) == 2 and all(b is not None and 300 <= b["width"] <= 390 for b in boxes)
            assert page.get_by_text("What ran before consent").is_visible()
        finally:
            browser.close()
