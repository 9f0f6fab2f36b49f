"""Missing re-consent is high; failing only to tell people about the change is medium."""

from __future__ import annotations

from pathlib import Path

from consentgate.audit.engine import evaluate
from consentgate.manifest.loader import load_manifest
from consentgate.rules.base import Severity, rule_by_id

RULE_ID = "CG-PIPL-014-CHANGE-WITHOUT-RECONSENT"
FAIL = Path(__file__).parent / "fail"


def test_each_form_of_the_breach_has_its_severity() -> None:
    rule = rule_by_id(RULE_ID)
    assert rule is not None
    findings = evaluate(load_manifest(FAIL / "new-purpose-no-reconsent.yaml"), [rule])
    by_pointer = {f.location.pointer: f.severity for f in findings if not f.unconfirmed}
    assert by_pointer == {
        "/notices/privacy-v3/reconsent_obtained": Severity.HIGH,
        "/notices/privacy-v3/users_notified_of_change": Severity.MEDIUM,
    }
