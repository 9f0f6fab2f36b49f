"""One finding names one right and cites only the clause that grants it (PIPL 45, 46, 47; AVIM 6.1)."""

from __future__ import annotations

from pathlib import Path

from consentgate.audit.engine import evaluate
from consentgate.manifest.loader import load_manifest
from consentgate.rules.base import rule_by_id

RULE_ID = "CG-PIPL-045-RIGHTS-CHANNEL-MISSING"
FAIL = Path(__file__).parent / "fail"


def test_each_missing_right_cites_its_own_clause_only() -> None:
    rule = rule_by_id(RULE_ID)
    assert rule is not None
    findings = evaluate(load_manifest(FAIL / "no-right-at-all.yaml"), [rule])
    by_right = {
        right: f.citations
        for f in findings
        for right in ("copy", "correct", "delete", "cancel_account")
        if f"rights.{right})" in f.message.en
    }
    assert by_right == {
        "copy": ("PIPL-45",),
        "correct": ("PIPL-46",),
        "delete": ("PIPL-47",),
        "cancel_account": ("AVIM-6.1",),
    }
    assert len(findings) == 4  # one finding per right, never one for all
