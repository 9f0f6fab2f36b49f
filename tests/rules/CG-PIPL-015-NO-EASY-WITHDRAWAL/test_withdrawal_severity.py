"""The two forms of the breach carry different severities, and the audit report shows each."""

from __future__ import annotations

from pathlib import Path

from consentgate.audit.engine import evaluate
from consentgate.manifest.loader import load_manifest
from consentgate.rules.base import Severity, rule_by_id

RULE_ID = "CG-PIPL-015-NO-EASY-WITHDRAWAL"
FAIL = Path(__file__).parent / "fail"


def _severities(name: str) -> list[Severity]:
    rule = rule_by_id(RULE_ID)
    assert rule is not None
    return [f.severity for f in evaluate(load_manifest(FAIL / name), [rule]) if not f.unconfirmed]


def test_no_withdrawal_channel_is_high() -> None:
    assert _severities("no-channel.yaml") == [Severity.HIGH]


def test_withdrawal_harder_than_consent_is_medium() -> None:
    assert _severities("harder-than-consent.yaml") == [Severity.MEDIUM]
