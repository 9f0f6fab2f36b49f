"""The batch decider answers exactly what the gate's pure decide answers, subject by subject."""

from __future__ import annotations

import itertools

import orjson

from consentgate.runtime.gate.rules import decide
from consentgate.runtime.policy import Policy
from consentgate.runtime.push.decider import BatchDecider, facts_of
from consentgate.runtime.push.repository import FactRow

ACCEPTABLE = frozenset({("privacy-policy", "2024-01")})
STAMP = "2026-01-05 09:00:00.000000"


def _rows(status: str, version: str, mechanism: str, data: tuple[str, ...], event: str) -> list[FactRow]:
    return [
        ("", status, "privacy-policy", version, orjson.dumps(list(data)).decode(), mechanism, event, STAMP)
    ]


def test_every_fact_content_gets_the_pure_decision_with_the_subjects_own_event(policy: Policy) -> None:
    purpose = policy.purposes["personalized-push"]
    contents = list(
        itertools.product(
            ("given", "refused", "withdrawn", "expired"),
            ("2024-01", "2023-01"),
            ("in-flow", "separate", "settings"),
            ((), ("english-level",), ("occupation",)),
        )
    )
    for wanted in (frozenset({"english-level"}), frozenset()):
        decider = BatchDecider(purpose, wanted, ACCEPTABLE)
        for copy in range(3):  # the same contents again: answered from the memo
            for n, (status, version, mechanism, data) in enumerate(contents):
                subject = f"s{copy}-{n}"
                rows = _rows(status, version, mechanism, data, f"ev-{subject}")
                expected = decide(purpose, facts_of(subject, purpose.id, rows), wanted, None, ACCEPTABLE)
                decision, event = decider.decide(subject, rows)
                assert (decision.allowed, decision.reason_code) == (expected.allowed, expected.reason_code)
                assert event == expected.consent_event_id
                assert event is None or event == f"ev-{subject}"
        assert decider.distinct == len(contents)
        assert decider.decide("nobody")[0] == decide(purpose, {}, wanted, None, ACCEPTABLE)
