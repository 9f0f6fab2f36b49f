"""Silence is not guilt: an unstated fact gives an unconfirmed check, a fact stated as absent a violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.audit.engine import audit_file
from consentgate.cli.app import app
from consentgate.cli.commands import register_all

register_all()

HERE = Path(__file__).parent / "unknown"
MINIMAL = HERE / "minimal.yaml"
STATED_ABSENT = HERE / "minimal-stated-absent.yaml"

# What the minimal manifest was found to break before facts could be unknown (every one from silence).
FROM_SILENCE = {
    ("CG-PIPL-017-NO-PRIOR-NOTICE", "/notices"),
    ("CG-PIPL-045-RIGHTS-CHANNEL-MISSING", "/rights/copy"),
    ("CG-PIPL-045-RIGHTS-CHANNEL-MISSING", "/rights/correct"),
    ("CG-PIPL-045-RIGHTS-CHANNEL-MISSING", "/rights/delete"),
    ("CG-PIPL-045-RIGHTS-CHANNEL-MISSING", "/rights/cancel_account"),
    ("CG-AVIM-065-NO-COMPLAINT-CHANNEL", "/complaints/channel"),
}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty folder so that the repository's own [tool.consentgate] does not apply."""
    monkeypatch.chdir(tmp_path)


def test_a_minimal_manifest_has_no_violation_and_lists_what_it_could_not_check() -> None:
    report = audit_file(str(MINIMAL))
    assert report.violations == ()
    unconfirmed = {f.rule_id: f for f in report.unconfirmed}
    assert {rule for rule, _ in FROM_SILENCE} <= set(unconfirmed)
    assert "notices" in unconfirmed["CG-PIPL-017-NO-PRIOR-NOTICE"].unknown_facts
    assert {"rights.copy", "rights.delete"} <= set(
        unconfirmed["CG-PIPL-045-RIGHTS-CHANNEL-MISSING"].unknown_facts
    )
    assert all(f.severity.value == "low" for f in report.unconfirmed)


def test_how_consent_is_asked_is_moot_where_nothing_needs_consent() -> None:
    """The minimal app asks nobody for consent: pre-ticked boxes or asking again are not open questions."""
    rules = {f.rule_id for f in audit_file(str(MINIMAL)).unconfirmed}
    assert not {"CG-AVIM-034-PRETICKED-CONSENT", "CG-AVIM-032-REPEATED-ASKING"} & rules


def test_one_unconfirmed_result_per_rule() -> None:
    rules = [f.rule_id for f in audit_file(str(MINIMAL)).unconfirmed]
    assert len(rules) == len(set(rules))


def test_the_same_facts_stated_as_absent_are_violations() -> None:
    found = {(f.rule_id, f.location.pointer) for f in audit_file(str(STATED_ABSENT)).violations}
    assert found >= FROM_SILENCE


def test_unconfirmed_checks_never_fail_the_default_run() -> None:
    result = CliRunner().invoke(app, ["audit", str(MINIMAL.resolve()), "--json", "-"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    manifest = document["manifests"][0]
    assert manifest["findings"] == []
    assert manifest["unconfirmed"] and all(f["status"] == "unconfirmed" for f in manifest["unconfirmed"])
    assert document["summary"]["unconfirmed"] == len(manifest["unconfirmed"])


def test_unconfirmed_checks_fail_a_run_that_fails_on_low() -> None:
    result = CliRunner().invoke(app, ["audit", str(MINIMAL.resolve()), "--fail-on", "low"])
    assert result.exit_code == 1, result.output


def test_stated_absence_fails_the_default_run() -> None:
    assert CliRunner().invoke(app, ["audit", str(STATED_ABSENT.resolve())]).exit_code == 1
