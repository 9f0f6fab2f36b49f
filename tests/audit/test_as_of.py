"""Law with a date: `as_of` judges the conduct under the law in force that day, and only that law."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from consentgate.audit.engine import audit_file, evaluate
from consentgate.audit.findings import Finding
from consentgate.audit.report.json_report import to_json
from consentgate.errors import ManifestErrors
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.positions import is_within
from tests.audit.conftest import SEED, document

TODAY = date(2025, 3, 15)

# The seed court's conclusions, reached for conduct in 2020 under the law then in force: the rule
# that must reach each, and the part of the manifest it must point into (tests/test_seed_case.py
# holds the same conclusions under the PIPL).
CONCLUSIONS_IN_2020 = {
    "no notice before collection": ("CG-CSL-041-NO-PRIOR-NOTICE", ""),
    "forced collection of the questionnaire": ("CG-CSL-041-FORCED-COLLECTION", "/onboarding/questionnaire"),
    "profile tags beyond what is necessary": ("CG-CSL-041-BEYOND-NECESSARY", "/purposes/personalized-push"),
    "push without a non-targeted option": ("CG-ECL-018-NO-NONTARGETED-OPTION", "/purposes/personalized-push"),
    "marketing SMS without consent": ("CG-CPL-029-MARKETING-WITHOUT-CONSENT", "/purposes/marketing-sms"),
    "sharing with the affiliated apps": ("CG-CSL-042-SHARING-WITHOUT-CONSENT", "/purposes/share-affiliates"),
    "phone numbers from the offline store": ("CG-CSL-041-THIRD-PARTY-SOURCE-NO-BASIS", "/data/phone"),
    "no way to correct or delete": ("CG-CSL-043-RIGHTS-CHANNEL-MISSING", "/rights"),
}


def _seed_on(day: str) -> list[Finding]:
    return evaluate(parse_manifest(f"as_of: {day}\n" + SEED.read_text("utf-8"), str(SEED)))


@pytest.fixture(scope="module")
def in_2020() -> list[Finding]:
    return _seed_on("2020-06-01")


@pytest.fixture(scope="module")
def in_2021_12() -> list[Finding]:
    return _seed_on("2021-12-01")


def _violations(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.unconfirmed]


@pytest.mark.parametrize("conclusion", sorted(CONCLUSIONS_IN_2020))
def test_conduct_in_2020_reaches_each_conclusion_under_the_law_then_in_force(
    in_2020: list[Finding], conclusion: str
) -> None:
    rule_id, within = CONCLUSIONS_IN_2020[conclusion]
    hits = [f for f in _violations(in_2020) if f.rule_id == rule_id and is_within(f.location.pointer, within)]
    assert hits, f"{conclusion}: no {rule_id} finding under {within or '/'}"
    assert all(h.severity.value == "high" for h in hits)


def test_conduct_in_2020_gets_no_pipl_finding_and_no_later_citation(in_2020: list[Finding]) -> None:
    assert not [f.rule_id for f in in_2020 if f.rule_id.startswith(("CG-PIPL-", "CG-ARP-"))]
    cited = {c for f in in_2020 for c in f.citations}
    assert not {c for c in cited if c.startswith(("PIPL-", "ARP-", "CIVIL-", "NPI-"))}
    assert {"CSL-41", "CSL-42", "CSL-43", "CPL-29", "ECL-18", "GPCL-111"} <= cited


def test_a_finding_dated_by_an_unconfirmed_day_says_so(in_2020: list[Finding]) -> None:
    sharing = next(f for f in in_2020 if f.rule_id == "CG-CSL-042-SHARING-WITHOUT-CONSENT")
    assert "GPCL-111" in sharing.citations
    assert sharing.message.zh.endswith("（施行日期未经核实：GPCL-111）")
    assert sharing.message.en.endswith(" (date of entry into force not verified: GPCL-111)")


def test_conduct_in_2021_12_is_judged_under_the_pipl_without_the_later_arp(in_2021_12: list[Finding]) -> None:
    rule_ids = {f.rule_id for f in _violations(in_2021_12)}
    assert {
        "CG-PIPL-024-NO-NONPERSONALIZED-OPTION",
        "CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT",
    } <= rule_ids
    assert not {r for r in (f.rule_id for f in in_2021_12) if r.startswith(("CG-CSL-", "CG-CPL-", "CG-ECL-"))}
    assert not [r for r in (f.rule_id for f in in_2021_12) if r.startswith("CG-ARP-")]
    push = next(f for f in in_2021_12 if f.rule_id == "CG-PIPL-024-NO-NONPERSONALIZED-OPTION")
    assert "PIPL-24" in push.citations and "ARP-17" not in push.citations
    assert not [f for f in in_2021_12 for c in f.citations if c.startswith("ARP-")]


def test_the_civil_code_replaces_the_general_provisions_on_its_first_day() -> None:
    def cited(day: str) -> set[str]:
        return {
            c for f in _seed_on(day) if f.rule_id == "CG-CSL-042-SHARING-WITHOUT-CONSENT" for c in f.citations
        }

    assert cited("2020-12-31") == {"CSL-42", "GPCL-111"}
    assert cited("2021-01-01") == {"CSL-42", "CIVIL-1038"}


def test_the_necessary_pi_scope_is_cited_only_from_its_own_date() -> None:
    def cited(day: str) -> set[str]:
        return {c for f in _seed_on(day) if f.rule_id == "CG-CSL-041-BEYOND-NECESSARY" for c in f.citations}

    assert "NPI-learning-education" not in cited("2021-04-30")
    assert {"NPI-article-3", "NPI-learning-education"} <= cited("2021-05-01")


def test_the_pipl_takes_over_on_its_first_day() -> None:
    eve = {f.rule_id for f in _violations(_seed_on("2021-10-31"))}
    first = {f.rule_id for f in _violations(_seed_on("2021-11-01"))}
    assert (
        "CG-CSL-042-SHARING-WITHOUT-CONSENT" in eve
        and "CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT" not in eve
    )
    assert (
        "CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT" in first
        and "CG-CSL-042-SHARING-WITHOUT-CONSENT" not in first
    )


def test_without_as_of_the_app_is_judged_under_todays_law() -> None:
    findings = evaluate(parse_manifest(SEED.read_text("utf-8"), str(SEED)))
    assert not [f.rule_id for f in findings if f.rule_id.startswith(("CG-CSL-", "CG-CPL-", "CG-ECL-"))]
    assert not [c for f in findings for c in f.citations if c.startswith(("GPCL-", "TLL-"))]


def _written(tmp_path: Path, as_of: str) -> str:
    path = tmp_path / "dated.yaml"
    path.write_text(f"as_of: {as_of}\napp: {{name: Learn, type: learning-education}}\n", "utf-8")
    return str(path)


def test_an_as_of_still_to_come_is_an_error_in_both_languages(tmp_path: Path) -> None:
    report = audit_file(_written(tmp_path, "2201-06-01"), today=TODAY)
    assert report.failed_to_load and report.findings == ()
    (error,) = report.errors
    assert "dated.yaml:1:1" in error.en and "as_of 2201-06-01 is after today (2025-03-15)" in error.en
    assert "as_of 2201-06-01 晚于今天（2025-03-15）" in error.zh


def test_today_itself_is_a_valid_as_of(tmp_path: Path) -> None:
    assert not audit_file(_written(tmp_path, TODAY.isoformat()), today=TODAY).failed_to_load


def test_the_report_says_which_day_of_conduct_was_judged(tmp_path: Path) -> None:
    report = audit_file(_written(tmp_path, "2020-06-01"), today=TODAY)
    assert report.as_of == "2020-06-01"
    assert to_json(document(report))["manifests"][0]["as_of"] == "2020-06-01"
    assert to_json(document(audit_file(str(SEED), today=TODAY)))["manifests"][0]["as_of"] is None


def test_an_as_of_before_any_law_is_an_error_not_a_clean_report(tmp_path: Path) -> None:
    report = audit_file(_written(tmp_path, "2009-05-01"), today=TODAY)
    (error,) = report.errors
    assert "as_of 2009-05-01 is before any law" in error.en and "from 2014-03-15" in error.en
    assert "早于 consentgate 规则所适用的任何法律" in error.zh


def test_conduct_only_the_consumer_law_reached_is_judged_by_it(tmp_path: Path) -> None:
    """2015: before the Cybersecurity Law, CPL 29 alone applies; the audit runs, it is not refused."""
    report = audit_file(_written(tmp_path, "2015-06-01"), today=TODAY)
    assert not report.failed_to_load


@pytest.mark.parametrize("written", ["2020-13-01", "2020-02-30", "2020", "20200601", "2020-6-1", "unknown"])
def test_an_as_of_that_is_not_a_calendar_day_is_refused_in_both_languages(written: str) -> None:
    with pytest.raises(ManifestErrors) as raised:
        parse_manifest(f"as_of: {written}\napp: {{name: Learn, type: learning-education}}\n")
    (error,) = raised.value.errors
    assert error.location is not None and error.location.pointer == "/as_of"
    assert "应为 YYYY-MM-DD 格式的日期" in error.text.zh
    assert "calendar day written YYYY-MM-DD" in error.text.en
