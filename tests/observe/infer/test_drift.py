"""`--against`: drift between the declared manifest and the observation, as findings of ordinary rules."""

from __future__ import annotations

from consentgate.audit.findings import Finding
from consentgate.manifest.models import Manifest
from consentgate.observe.drift import drift
from tests.observe.infer.observations import fixed_case, seed_case

DECLARED = Manifest.model_validate(
    {
        "app": {"name": "英语学习App", "type": "learning-education"},
        "data": [
            {"id": "phone", "category": "contact.phone"},
            {"id": "occupation", "category": "profile.occupation"},
        ],
        "purposes": [
            {"id": "login", "kind": "basic-function", "basis": "contract-necessity", "data": ["phone"]},
            {"id": "recommend", "kind": "personalization", "basis": "consent", "data": ["occupation"]},
        ],
        "onboarding": [{"id": "profile", "fields": [{"data": "occupation", "required": False}]}],
    }
)


def _by_rule(observation_findings: list[Finding]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in observation_findings:
        if f.active:
            out.setdefault(f.rule_id, []).append(f.location.pointer)
    return out


def test_seed_observation_drifts_from_its_declaration_in_all_three_ways() -> None:
    found = _by_rule(drift(seed_case(), DECLARED))
    # collected but undeclared: goal, level and stage are used by no declared purpose
    assert found["CG-AVIM-039-COLLECTED-BEYOND-DECLARED"] == ["/conduct/collections/accept-4/data"]
    # declared optional, required on screen
    assert found["CG-AVIM-033-REQUIRED-BEYOND-DECLARED"] == ["/onboarding/accept-screen-2/fields/0/required"]
    # a third party the declaration never names
    assert found["CG-PIPL-023-PROVISION-DESPITE-REFUSAL"] == ["/conduct/provisions/accept-1/recipient"]


def test_declared_data_keeps_its_own_ids() -> None:
    found = drift(seed_case(), DECLARED)
    beyond = next(f for f in found if f.rule_id == "CG-AVIM-039-COLLECTED-BEYOND-DECLARED")
    assert "occupation" not in beyond.data and "profile-learning-goal" in beyond.data


def test_fixed_observation_has_no_drift_but_what_it_collects_beyond() -> None:
    found = _by_rule(drift(fixed_case(), DECLARED))
    assert "CG-AVIM-033-REQUIRED-BEYOND-DECLARED" not in found
    assert "CG-PIPL-023-PROVISION-DESPITE-REFUSAL" not in found
