"""Inference: what a browser saw becomes a manifest the same rules judge, unknown wherever nothing was seen."""

from __future__ import annotations

import yaml

from consentgate.audit.findings import Finding
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import Manifest
from consentgate.observe.infer import infer, judge, to_yaml
from consentgate.observe.model import NoticeReadability, Observation
from consentgate.rules.base import Severity
from tests.observe.infer.observations import fixed_case, seed_case, steered_notice, unreachable

LEARNING_APP = Manifest.model_validate({"app": {"name": "英语学习App", "type": "learning-education"}})


def _violations(findings: list[Finding], at_least: Severity = Severity.LOW) -> list[Finding]:
    return [f for f in findings if f.active and f.severity.rank >= at_least.rank]


def _rules(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings}


def test_inferred_manifest_loads_after_yaml_round_trip() -> None:
    for observation in (seed_case(), fixed_case(), unreachable()):
        inferred = infer(observation)
        loaded = parse_manifest(yaml.safe_dump(inferred.manifest, allow_unicode=True))
        assert loaded.manifest.app.type == "other"


def test_seed_case_observation_yields_the_courts_findings_and_the_observation_rules() -> None:
    found = _violations(judge(infer(seed_case(), declared=LEARNING_APP)), Severity.HIGH)
    assert {
        "CG-PIPL-016-FORCED-COLLECTION",  # the questionnaire could not be skipped
        "CG-PIPL-017-NO-PRIOR-NOTICE",  # no notice before collecting
        "CG-AVIM-031-COLLECTED-BEFORE-CONSENT",  # profile collected before any consent
        "CG-AVIM-031-SENT-BEFORE-CONSENT",  # the phone number went to a tracker at once
    } <= _rules(found)


def test_findings_carry_the_evidence_of_their_pointer_and_its_ancestors() -> None:
    found = _violations(judge(infer(seed_case(), declared=LEARNING_APP)), Severity.HIGH)
    forced = next(f for f in found if f.rule_id == "CG-PIPL-016-FORCED-COLLECTION")
    assert forced.location.pointer.startswith("/onboarding/accept-screen-2/fields/")
    assert [e.screenshot for e in forced.evidence] == ["accept-screen-2.png"]
    sent = next(f for f in found if f.rule_id == "CG-AVIM-031-SENT-BEFORE-CONSENT")
    assert [(e.kind, e.seq) for e in sent.evidence] == [("request", 1)]
    assert "hm.baidu.com" in sent.evidence[0].description.en
    no_notice = next(f for f in found if f.rule_id == "CG-PIPL-017-NO-PRIOR-NOTICE")
    assert {e.kind for e in no_notice.evidence} == {"screen"}, "every screen read without a notice"


def test_third_party_is_named_by_the_tracker_catalog() -> None:
    recipients = infer(seed_case()).manifest["recipients"]
    assert recipients == [
        {"id": "hm-baidu-com", "name": "北京百度网讯科技有限公司 (Baidu Tongji)", "kind": "sdk"}
    ]


def test_fixed_observation_yields_nothing_at_medium_or_above() -> None:
    found = _violations(judge(infer(fixed_case(), declared=LEARNING_APP)), Severity.MEDIUM)
    assert found == [], [(f.rule_id, f.message.en) for f in found]


def test_an_observation_that_reached_no_screen_stays_unconfirmed() -> None:
    inferred = infer(unreachable())
    assert set(inferred.manifest) == {"app", "as_of"}, "nothing seen, nothing stated"
    findings = judge(inferred)
    assert _violations(findings) == []
    notice = next(f for f in findings if f.rule_id == "CG-PIPL-017-NO-PRIOR-NOTICE")
    assert notice.unconfirmed and notice.unknown_facts == ("notices",)


def test_refusal_prominence_is_read_from_control_areas() -> None:
    screen = infer(fixed_case()).manifest["onboarding"][0]
    assert screen["actions"] == ["agree", "browse"]
    assert screen["refusal"] == {"accept_steps": 1, "steps": 1, "prominence": "equal"}


def test_manifest_out_is_yaml_in_the_landed_schema() -> None:
    text = to_yaml(infer(seed_case()))
    assert parse_manifest(text).manifest.conduct is not None


def test_existing_rules_judge_what_inference_writes_without_duplicates() -> None:
    """Pre-ticked boxes and refusal parity are judged by their own rules, through the manifest."""
    found = _violations(judge(infer(steered_notice(), declared=LEARNING_APP)), Severity.MEDIUM)
    assert _rules(found) == {
        "CG-AVIM-034-PRETICKED-CONSENT",
        "CG-PIPL-014-REFUSAL-HARDER-THAN-CONSENT",
        "CG-AVIM-031-PERMISSION-BEFORE-CONSENT",
    }
    for f in found:
        assert f.evidence, f"{f.rule_id} has no evidence"


def test_a_walk_that_stopped_early_is_reported_as_unfinished() -> None:
    unfinished = infer(unreachable()).unfinished
    assert len(unfinished) == 2
    assert "connection refused" in unfinished[0].en
    assert infer(seed_case()).unfinished == ()


def test_an_observation_written_as_json_is_judged_the_same_later() -> None:
    """The evidence folder keeps the observation as JSON; inference needs no browser to judge it again."""
    observation = seed_case()
    again = Observation.model_validate_json(observation.model_dump_json())
    assert infer(again).manifest == infer(observation).manifest


def test_without_a_declaration_a_provision_is_not_judged_against_a_design_nobody_stated() -> None:
    findings = judge(infer(seed_case()))
    beyond = [f for f in findings if f.rule_id == "CG-PIPL-023-PROVISION-DESPITE-REFUSAL"]
    assert beyond and all(f.unconfirmed for f in beyond)
    assert "purposes" in beyond[0].unknown_facts


def test_a_dense_notice_is_judged_hard_to_read_from_the_measures_taken_on_screen() -> None:
    """AVIM 2.4 from what the reader measured: long sentences full of jargon, the measures in the finding."""
    dense = NoticeReadability(
        chars=20000, mean_sentence_chars=160.0, jargon=tuple(f"术语{i}" for i in range(12))
    )
    observation = fixed_case()
    walks = tuple(
        w.model_copy(
            update={
                "screens": tuple(
                    s.model_copy(update={"notice_readability": dense}) if s.shows_notice else s
                    for s in w.screens
                )
            }
        )
        for w in observation.walks
    )
    found = judge(infer(observation.model_copy(update={"walks": walks}), declared=LEARNING_APP))
    hard = [f for f in _violations(found) if f.rule_id == "CG-AVIM-024-NOTICE-HARD-TO-READ"]
    assert hard and "160" in hard[0].message.en
    clear = judge(infer(fixed_case(), declared=LEARNING_APP))
    assert "CG-AVIM-024-NOTICE-HARD-TO-READ" not in _rules(_violations(clear))
