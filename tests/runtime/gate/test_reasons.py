"""The reason table: complete, bilingual, and every citation resolves in the law catalog."""

from __future__ import annotations

import pytest

from consentgate.law.catalog import load_catalog
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.gate.reasons import FIXED, REASONS

ALLOWING = {
    ReasonCode.CONTRACT_NECESSITY,
    ReasonCode.LEGAL_OBLIGATION,
    ReasonCode.EMERGENCY,
    ReasonCode.NEWS_REPORTING,
    ReasonCode.PUBLIC_INFORMATION,
    ReasonCode.OTHER_LAW,
    ReasonCode.CONSENT,
    ReasonCode.SEPARATE_CONSENT,
}


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_has_bilingual_text_and_resolving_citations(code: ReasonCode) -> None:
    reason = REASONS[code]
    assert reason.message.zh.strip()
    assert reason.message.en.strip()
    assert reason.message.zh != reason.message.en
    assert reason.citations, f"{code} cites nothing"
    catalog = load_catalog()
    unresolved = [c for c in reason.citations if not catalog.resolves(c)]
    assert not unresolved, f"{code}: {unresolved}"


def test_only_legal_bases_allow() -> None:
    assert {code for code, reason in REASONS.items() if reason.allowed} == ALLOWING
    assert set(REASONS) == set(ReasonCode)


def test_fixed_decisions_carry_their_table_entry() -> None:
    for code, decision in FIXED.items():
        reason = REASONS[code]
        assert decision.reason_code is code
        assert decision.allowed is reason.allowed
        assert decision.message == reason.message
        assert decision.citations == reason.citations
        assert decision.consent_event_id is None


def test_codes_are_stable_strings() -> None:
    # Stored in audit records and returned to callers: renaming one breaks them, so the spelling is pinned.
    assert ReasonCode.STALE_NOTICE.value == "stale-notice"
    assert ReasonCode.WITHDRAWN.value == "withdrawn"
    assert ReasonCode.CONTRACT_NECESSITY.value == "contract-necessity"
    assert all(code.value == code.value.lower() and " " not in code.value for code in ReasonCode)
