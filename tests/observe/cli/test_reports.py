"""Findings of an observation carry their evidence in every report format; the observe HTML shows it
with screenshots and a timeline against the consent moment, and stays one standalone file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from rich.console import Console

from consentgate.audit.findings import Evidence, ManifestReport
from consentgate.audit.report.document import AuditDocument
from consentgate.audit.report.html import render_html
from consentgate.audit.report.json_report import render_json
from consentgate.audit.report.json_schema import report_schema
from consentgate.audit.report.observe_html import Observed, render_observe_html
from consentgate.audit.report.sarif import render_sarif
from consentgate.audit.report.text import render_text
from consentgate.audit.summary import FailOn
from consentgate.observe.evidence import attach
from consentgate.observe.report import audit_inferred, observed_at_all, unobserved
from tests.audit.conftest import SEED
from tests.observe.cli.builders import (
    TARGET,
    WHEN,
    faulty_observation,
    phone_evidence,
    unreachable_observation,
    write_screenshots,
)


@pytest.fixture(scope="module")
def report() -> ManifestReport:
    """The seed case's manifest standing in for an inferred one, audited with evidence by pointer."""
    manifest: dict[str, Any] = yaml.safe_load(SEED.read_text("utf-8"))
    return audit_inferred(TARGET, manifest, phone_evidence())


def _document(*reports: ManifestReport) -> AuditDocument:
    return AuditDocument.build(reports, fail_on=FailOn.MEDIUM, generated_at=WHEN)


def test_inferred_manifest_is_judged_by_the_engine_with_the_url_as_its_path(report: ManifestReport) -> None:
    assert report.path == TARGET and not report.errors
    assert "CG-PIPL-016-FORCED-COLLECTION" in {f.rule_id for f in report.violations}


def test_every_finding_gets_the_evidence_of_its_pointer_and_its_ancestors(report: ManifestReport) -> None:
    for finding in report.findings:
        kinds = {e.kind for e in finding.evidence}
        pointer = finding.location.pointer
        assert ({"request", "permission"} <= kinds) == pointer.startswith("/purposes")
        assert ("screen" in kinds) == pointer.startswith("/onboarding")
        assert [e.seq for e in finding.evidence] == sorted(e.seq for e in finding.evidence)


def test_attaching_nothing_leaves_findings_as_they_were(report: ManifestReport) -> None:
    bare = [f.__class__(**{**f.__dict__, "evidence": ()}) for f in report.findings]
    assert attach(bare, {}) == bare


def test_json_report_lists_evidence_and_still_matches_its_schema(report: ManifestReport) -> None:
    raw = json.loads(render_json(_document(report)))
    jsonschema.validate(raw, report_schema())
    first = next(
        f for f in raw["manifests"][0]["findings"] if f["location"]["pointer"].startswith("/purposes")
    )
    assert {"kind": "request", "walk": "accept", "seq": 3} in [
        {k: e[k] for k in ("kind", "walk", "seq")} for e in first["evidence"]
    ]
    assert first["evidence"][0]["description"].keys() == {"zh", "en"}


def test_sarif_results_carry_evidence_in_their_properties(report: ManifestReport) -> None:
    raw = json.loads(render_sarif(_document(report), "en"))
    results = raw["runs"][0]["results"]
    evidenced = [r for r in results if r["properties"]["pointer"].startswith(("/purposes", "/onboarding"))]
    assert evidenced and all(r["properties"]["evidence"] for r in evidenced)
    assert any(
        e.get("screenshot") == "accept-screen-2.png" for r in evidenced for e in r["properties"]["evidence"]
    )


def test_text_report_names_each_piece_of_evidence(report: ManifestReport) -> None:
    console = Console(record=True, width=200, color_system=None)
    render_text(_document(report), console, "en")
    out = console.export_text()
    assert "Evidence: [accept #3 request] phone sent to a third party" in out
    assert "(accept-screen-2.png)" in out


def test_audit_html_lists_evidence_and_stays_script_and_image_free(report: ManifestReport) -> None:
    html = render_html(_document(report), "zh")
    assert "手机号发往第三方" in html
    assert "<script" not in html and "<img" not in html


def test_observe_html_embeds_screenshots_and_the_requests_involved(
    tmp_path: Path, report: ManifestReport
) -> None:
    write_screenshots(tmp_path)
    observed = {TARGET: Observed(faulty_observation(), tmp_path)}
    html = render_observe_html(_document(report), "zh", observed=observed)
    assert "<script" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no external resource of any kind
    assert "http://127.0.0.2:9000/collect?phone" in html and "contact.phone (url: phone)" in html
    assert 'name="viewport" content="width=device-width' in html


def test_observe_html_timeline_marks_what_happened_before_the_consent_moment(
    tmp_path: Path, report: ManifestReport
) -> None:
    observed = {TARGET: Observed(faulty_observation(), tmp_path)}
    html = render_observe_html(_document(report), "en", observed=observed)
    timeline = html[html.index("Timeline — acceptance path") :]
    beacon = timeline.index("127.0.0.2:9000/collect")
    moment = timeline.index("The person agreed (consent moment)")
    questionnaire = timeline.index("screen-2")
    assert beacon < moment < questionnaire
    early = re.findall(r'<li class="(request|permission|cookie)[^"]*early[^"]*">', timeline)
    assert set(early) == {"request", "permission", "cookie"}
    assert "Permission asked" in timeline and "third party" in timeline


def test_observe_html_never_embeds_a_file_outside_the_evidence_folder(tmp_path: Path) -> None:
    folder = tmp_path / "target"
    write_screenshots(folder)
    (tmp_path / "secret.png").write_bytes(b"not yours")
    shot = faulty_observation().walks[1].screens[0].model_copy(update={"screenshot": "../secret.png"})
    walk = faulty_observation().walks[1].model_copy(update={"screens": (shot,)})
    observation = faulty_observation().model_copy(update={"walks": (walk,)})
    html = render_observe_html(
        _document(ManifestReport(TARGET, None)), "en", observed={TARGET: Observed(observation, folder)}
    )
    assert "data:image" not in html


def test_a_target_never_reached_is_a_bilingual_error_report() -> None:
    observation = unreachable_observation()
    assert not observed_at_all(observation)
    assert observed_at_all(faulty_observation())
    report = unobserved(observation.target, observation.walks[0].end_detail)
    assert report.failed_to_load
    assert "无法观察" in report.errors[0].zh and "could not be observed" in report.errors[0].en
    html = render_observe_html(_document(report), "zh", observed={})
    assert "连接被拒绝" in html


def test_evidence_defaults_to_none_for_written_manifests() -> None:
    from consentgate.audit.engine import audit_file

    assert all(f.evidence == () for f in audit_file(str(SEED)).findings)
    assert Evidence("screen", "accept", 0, phone_evidence()["/purposes"][0].description).screenshot is None
