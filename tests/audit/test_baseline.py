"""A baseline accepts findings by rule, path and pointer, never by line, and rejects malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consentgate.audit.baseline import Baseline
from consentgate.audit.engine import audit_file
from consentgate.errors import UsageError
from tests.audit.conftest import FORCED, FORCED_RULE, suppressed_copy


def _copy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(text, "utf-8")
    return path


def test_round_trip_accepts_the_same_findings_even_when_lines_move(tmp_path: Path) -> None:
    manifest = _copy(tmp_path, FORCED.read_text("utf-8"))
    before = audit_file(str(manifest))
    assert before.findings
    file = tmp_path / "baseline.json"
    Baseline.of(file, [before]).write()

    # Comments at the top move every line; the pointers, and so the baseline, stay the same.
    _copy(tmp_path, "# reviewed\n# twice\n" + FORCED.read_text("utf-8"))
    after = audit_file(str(manifest))
    assert [f.location.line for f in after.findings] != [f.location.line for f in before.findings]
    [applied] = Baseline.read(file).apply([after])
    assert applied.findings and all(f.baselined for f in applied.findings)
    assert applied.active == ()


def test_a_new_finding_is_not_baselined(tmp_path: Path) -> None:
    manifest = _copy(tmp_path, FORCED.read_text("utf-8"))
    file = tmp_path / "baseline.json"
    Baseline.of(file, [audit_file(str(manifest))]).write()
    # A second required, non-necessary field on the same screen: a finding the baseline has not seen.
    grown = FORCED.read_text("utf-8").replace(
        "fields: [{data: occupation, required: false}]",
        "fields: [{data: occupation, required: false}, {data: occupation, required: true}]",
    )
    _copy(tmp_path, grown)
    [applied] = Baseline.read(file).apply([audit_file(str(manifest))])
    forced = [f for f in applied.findings if f.rule_id == FORCED_RULE]
    assert [f.location.pointer for f in forced if not f.baselined] == ["/onboarding/questionnaire/fields/1"]
    assert [f.location.pointer for f in forced if f.baselined] == ["/onboarding/questionnaire/fields/0"]


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path: Path) -> None:
    manifest = _copy(tmp_path, FORCED.read_text("utf-8"))
    file = tmp_path / "ci" / "baseline.json"
    Baseline.of(file, [audit_file(str(manifest))]).write()
    paths = {entry["path"] for entry in json.loads(file.read_text("utf-8"))["findings"]}
    assert paths == {"../app.yaml"}


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        "[]",
        '{"consentgate_baseline": 1}',
        '{"consentgate_baseline": 1, "findings": [{"rule_id": "X", "path": "a.yaml"}]}',
        '{"consentgate_baseline": 99, "findings": []}',
        '{"consentgate_baseline": 1, "findings": [], "extra": true}',
    ],
)
def test_malformed_baseline_is_a_bilingual_usage_error(tmp_path: Path, content: str) -> None:
    file = tmp_path / "baseline.json"
    file.write_text(content, "utf-8")
    with pytest.raises(UsageError) as caught:
        Baseline.read(file)
    assert str(file) in caught.value.text.zh and "基线" in caught.value.text.zh
    assert str(file) in caught.value.text.en and "baseline" in caught.value.text.en


def test_suppressed_findings_stay_out_of_a_written_baseline(tmp_path: Path) -> None:
    report = audit_file(str(suppressed_copy(tmp_path)))
    suppressed = {(f.rule_id, f.location.pointer) for f in report.findings if f.suppressed}
    assert suppressed
    baseline = Baseline.of(tmp_path / "b.json", [report])
    assert not {(e.rule_id, e.pointer) for e in baseline.entries} & suppressed
