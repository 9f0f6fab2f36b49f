"""Recorded conduct: optional evidence, judged against the design, with milder forms where the law allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.manifest.loader import load_manifest, parse_manifest
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown, all_rules, rule_by_id

HERE = Path(__file__).parent
SEED_AS_FOUND = HERE.parents[1] / "examples" / "seed-case" / "as-found.yaml"
CONDUCT_RULES = [
    "CG-PIPL-044-MARKETING-AFTER-OPT-OUT",
    "CG-PIPL-050-REQUEST-REFUSED",
    "CG-AVIM-063-REQUEST-ANSWERED-LATE",
    "CG-PIPL-023-PROVISION-DESPITE-REFUSAL",
    "CG-AVIM-031-COLLECTED-BEFORE-CONSENT",
    "CG-CIVIL-1038-INCIDENT-NOT-HANDLED",
]


def _rule(rule_id: str) -> Rule:
    rule = rule_by_id(rule_id)
    assert rule is not None
    return rule


def _results(rule_id: str, manifest: Manifest) -> list[Hit | Unknown]:
    return list(_rule(rule_id).evaluate(manifest))


def _severities(rule_id: str, manifest: Manifest) -> dict[str, Severity]:
    rule = _rule(rule_id)
    return {r.pointer: r.severity or rule.severity for r in rule.evaluate(manifest) if isinstance(r, Hit)}


def _fixture(rule_id: str, kind: str, name: str) -> Manifest:
    return load_manifest(HERE / rule_id / kind / name).manifest


def test_the_conduct_rules_are_registered() -> None:
    assert set(CONDUCT_RULES) <= {rule.id for rule in all_rules()}


@pytest.mark.parametrize("rule_id", CONDUCT_RULES)
def test_a_manifest_recording_no_conduct_gets_nothing_from_the_conduct_rules(rule_id: str) -> None:
    """Conduct is optional evidence: not even an unconfirmed check when none is recorded."""
    assert _results(rule_id, load_manifest(SEED_AS_FOUND).manifest) == []
    assert _results(rule_id, parse_manifest("app: {name: A, type: news}\nconduct: {}\n").manifest) == []


def test_a_request_weighs_by_the_channel_it_came_through() -> None:
    rule = "CG-PIPL-050-REQUEST-REFUSED"
    seed = _fixture(rule, "fail", "seed-copy-and-deletion-ignored.yaml")
    assert set(_severities(rule, seed).values()) == {Severity.HIGH}  # no channel offered at all
    declared = _fixture(rule, "fail", "deletion-refused-in-app-without-reason.yaml")
    assert set(_severities(rule, declared).values()) == {Severity.HIGH}  # its own channel, no reason
    elsewhere = _fixture(rule, "fail", "copy-asked-on-wechat-ignored.yaml")
    hit = next(r for r in _results(rule, elsewhere) if isinstance(r, Hit))
    assert hit.severity is Severity.MEDIUM
    assert "not one the app publishes" in hit.message.en and "并非 App 为此公布的渠道" in hit.message.zh


def test_a_refusal_with_a_reason_is_one_step_milder_and_quotes_it() -> None:
    rule = "CG-PIPL-050-REQUEST-REFUSED"
    published = _fixture(rule, "fail", "withdrawal-refused-with-reason.yaml")
    hit = next(r for r in _results(rule, published) if isinstance(r, Hit))
    assert hit.severity is Severity.MEDIUM
    assert "合同期内不能退订" in hit.message.zh
    elsewhere = parse_manifest(
        """\
app: {name: Shop, type: online-shopping}
rights: {copy: {channel: in-app}}
conduct:
  requests:
    - {id: r, right: copy, channel: 微信群, channel_published: false, outcome: refused, reason: 身份未核实}
"""
    ).manifest
    assert _severities(rule, elsewhere) == {"/conduct/requests/r/outcome": Severity.LOW}


def test_a_refusal_whose_reason_is_unstated_is_milder_and_left_unconfirmed() -> None:
    manifest = parse_manifest(
        """\
app: {name: Shop, type: online-shopping}
rights: {delete: {channel: in-app}}
conduct:
  requests:
    - {id: r, right: delete, channel: in-app, outcome: refused}
"""
    ).manifest
    results = _results("CG-PIPL-050-REQUEST-REFUSED", manifest)
    assert [r.fact for r in results if isinstance(r, Unknown)] == ["conduct.requests[r].reason"]
    assert [r.severity for r in results if isinstance(r, Hit)] == [Severity.MEDIUM]


def test_provision_against_a_choice_is_high_and_beyond_the_design_medium() -> None:
    rule = "CG-PIPL-023-PROVISION-DESPITE-REFUSAL"
    unticked = _fixture(rule, "fail", "affiliates-despite-unticked-box.yaml")
    assert set(_severities(rule, unticked).values()) == {Severity.HIGH}
    beyond = _fixture(rule, "fail", "beyond-the-declared-design.yaml")
    assert set(_severities(rule, beyond).values()) == {Severity.MEDIUM}


def test_an_unremedied_incident_is_high_and_an_untold_one_medium() -> None:
    rule = "CG-CIVIL-1038-INCIDENT-NOT-HANDLED"
    quiet = _fixture(rule, "fail", "leak-kept-quiet.yaml")
    assert set(_severities(rule, quiet).values()) == {Severity.MEDIUM}
    open_hole = _fixture(rule, "fail", "tampering-not-remedied.yaml")
    assert _severities(rule, open_hole) == {"/conduct/incidents/0/remedied": Severity.HIGH}


def test_late_is_counted_in_official_working_days() -> None:
    """17 weekdays across National Day are 13 working days: in time. 35 are late."""
    rule = "CG-AVIM-063-REQUEST-ANSWERED-LATE"
    assert _results(rule, _fixture(rule, "pass", "across-national-day.yaml")) == []
    late = _fixture(rule, "fail", "deletion-after-seven-weeks.yaml")
    hit = next(r for r in _results(rule, late) if isinstance(r, Hit))
    assert "35 working days" in hit.message.en


@pytest.mark.parametrize(
    ("rule_id", "kind", "name", "data", "purpose"),
    [
        (
            "CG-PIPL-044-MARKETING-AFTER-OPT-OUT",
            "fail",
            "sms-after-reply-td.yaml",
            ("phone",),
            "marketing-sms",
        ),
        (
            "CG-AVIM-031-COLLECTED-BEFORE-CONSENT",
            "fail",
            "analytics-sdk-on-first-launch.yaml",
            ("device-ids",),
            "analytics",
        ),
        ("CG-PIPL-023-PROVISION-DESPITE-REFUSAL", "fail", "sdk-after-withdrawal.yaml", ("device-id",), "ads"),
    ],
)
def test_findings_name_the_data_and_purpose_they_are_about(
    rule_id: str, kind: str, name: str, data: tuple[str, ...], purpose: str
) -> None:
    hits = [r for r in _results(rule_id, _fixture(rule_id, kind, name)) if isinstance(r, Hit)]
    assert [(h.data, h.purpose) for h in hits] == [(data, purpose)]


def test_marketing_after_unsubscribe_cites_the_private_life_and_the_broken_promise() -> None:
    rule = "CG-PIPL-044-MARKETING-AFTER-OPT-OUT"
    hit = next(
        r for r in _results(rule, _fixture(rule, "fail", "sms-after-reply-td.yaml")) if isinstance(r, Hit)
    )
    assert hit.only == ("PIPL-15", "PIPL-44", "CIVIL-1033.1", "AVIM-3.9")


def test_the_example_in_docs_conduct_md_is_judged_as_the_doc_says() -> None:
    doc = (HERE.parents[1] / "docs" / "conduct.md").read_text("utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    manifest = parse_manifest(example).manifest
    found = {
        (rule_id, pointer): severity
        for rule_id in CONDUCT_RULES
        for pointer, severity in _severities(rule_id, manifest).items()
    }
    assert found == {
        ("CG-PIPL-044-MARKETING-AFTER-OPT-OUT", "/conduct/messages/after-td/after"): Severity.HIGH,
        ("CG-PIPL-050-REQUEST-REFUSED", "/conduct/requests/luo-copy/outcome"): Severity.HIGH,
        ("CG-PIPL-023-PROVISION-DESPITE-REFUSAL", "/conduct/provisions/to-app-a/despite"): Severity.HIGH,
        (
            "CG-AVIM-031-COLLECTED-BEFORE-CONSENT",
            "/conduct/collections/questionnaire/before_consent",
        ): Severity.HIGH,
        (
            "CG-AVIM-031-COLLECTED-BEFORE-CONSENT",
            "/conduct/collections/questionnaire/before_notice",
        ): Severity.HIGH,
    }
    assert all(not isinstance(r, Unknown) for rule_id in CONDUCT_RULES for r in _results(rule_id, manifest))
