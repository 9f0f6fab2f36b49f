"""Necessity for a service outside the 39 app types is the operator's word, and its findings say so.

Each rule that judges necessity has a fail fixture `other-service-beyond-its-statement.yaml` (or a
variant of that name): a service with `app.type: other` demanding more than it states it needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.audit.engine import evaluate
from consentgate.manifest.loader import load_manifest, parse_manifest
from consentgate.rules.base import rule_by_id

HERE = Path(__file__).parent
OTHER_FIXTURES = sorted(HERE.glob("CG-*/fail/other-service-*.yaml"))
SAYS_SO = "necessity judged against the operator's own statement of its basic service, not against the 39-type provisions"


def test_every_rule_judging_necessity_has_an_other_service_fixture() -> None:
    assert {p.parts[-3] for p in OTHER_FIXTURES} == {
        "CG-PIPL-013-BEYOND-NECESSARY",
        "CG-PIPL-016-CONSENT-AS-CONDITION",
        "CG-PIPL-016-FORCED-COLLECTION",
        "CG-PIPL-029-SENSITIVE-WITHOUT-SEPARATE-CONSENT",
    }


@pytest.mark.parametrize("path", OTHER_FIXTURES, ids=lambda p: p.parts[-3])
def test_a_finding_on_stated_necessity_says_so_and_cites_no_npi_provision(path: Path) -> None:
    rule = rule_by_id(path.parts[-3])
    assert rule is not None
    findings = [f for f in evaluate(load_manifest(path), [rule]) if not f.unconfirmed]
    assert findings
    for finding in findings:
        assert SAYS_SO in finding.message.en
        assert "运营者对其基本服务的自述" in finding.message.zh
        assert not [c for c in finding.citations if c.startswith("NPI-")], finding.citations
        assert finding.data, "the finding names the data it is about"


def test_a_finding_on_the_39_type_provisions_cites_them_and_needs_no_caveat() -> None:
    path = HERE / "CG-PIPL-016-FORCED-COLLECTION" / "fail" / "questionnaire-without-skip.yaml"
    rule = rule_by_id("CG-PIPL-016-FORCED-COLLECTION")
    assert rule is not None
    (finding,) = evaluate(load_manifest(path), [rule])
    assert SAYS_SO not in finding.message.en
    assert {"NPI-article-4", "NPI-learning-education"} <= set(finding.citations)
    assert finding.data == ("occupation",) and finding.purpose == "recommend"


def test_a_required_box_over_unnecessary_data_is_pipl_16_whatever_the_basis() -> None:
    """Consent as the claimed basis does not make refusing it optional when the box blocks the way."""
    path = HERE / "CG-PIPL-016-CONSENT-AS-CONDITION" / "fail" / "required-box-over-unnecessary-data.yaml"
    rule = rule_by_id("CG-PIPL-016-CONSENT-AS-CONDITION")
    assert rule is not None
    (finding,) = evaluate(load_manifest(path), [rule])
    assert finding.citations == ("PIPL-16", "AVIM-4.2", "NPI-article-4", "NPI-learning-education")
    assert finding.data == ("occupation",) and finding.purpose == "account"
    optional = parse_manifest(
        path.read_text("utf-8").replace("required_to_continue: true", "required_to_continue: false")
    )
    assert [f for f in evaluate(optional, [rule]) if not f.unconfirmed] == []


def test_stating_the_data_turns_the_unconfirmed_check_into_a_judgement() -> None:
    path = HERE / "CG-PIPL-016-FORCED-COLLECTION" / "unknown" / "other-service-without-necessary-data.yaml"
    rule = rule_by_id("CG-PIPL-016-FORCED-COLLECTION")
    assert rule is not None
    text = path.read_text("utf-8")
    (silent,) = evaluate(parse_manifest(text), [rule])
    assert silent.unknown_facts == ("app.necessary_data",)
    with_plate = text.replace(
        "timed car-park charging}\n", "timed car-park charging}\n  necessary_data: [trip.vehicle-plate]\n"
    )
    assert evaluate(parse_manifest(with_plate), [rule]) == []
    without = text.replace("timed car-park charging}\n", "timed car-park charging}\n  necessary_data: []\n")
    (found,) = evaluate(parse_manifest(without), [rule])
    assert not found.unconfirmed and SAYS_SO in found.message.en
