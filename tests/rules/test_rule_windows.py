"""Every rule judges conduct only while its law was in force, and its fixtures are dated inside that window."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from consentgate.audit.engine import evaluate
from consentgate.law.catalog import load_catalog
from consentgate.manifest.loader import load_manifest
from consentgate.rules.base import Rule, all_rules, rule_by_id
from tests.rules.conftest import fixtures

RULE_IDS = [rule.id for rule in all_rules()]
# The rules that judge conduct before the PIPL, under the law then in force.
PRE_PIPL = {rule.id for rule in all_rules() if rule.window().end == date(2021, 11, 1)}


def _days(rule: Rule) -> list[date | None]:
    """The first and last day of the rule's window, and today when it is still open."""
    window = rule.window()
    last = window.last_day
    return [window.start, *([last] if last else [None])]


@pytest.mark.parametrize("rule", all_rules(), ids=RULE_IDS)
def test_every_day_a_rule_applies_it_cites_some_clause_in_force(rule: Rule) -> None:
    catalog = load_catalog()
    for day in _days(rule):
        assert catalog.in_force_at(rule.citations, day), f"{rule.id} cites nothing in force on {day}"


@pytest.mark.parametrize("rule", all_rules(), ids=RULE_IDS)
def test_a_rule_window_lies_within_its_first_citation(rule: Rule) -> None:
    own = load_catalog().entry(rule.citations[0]).in_force.window
    window = rule.window()
    assert own.start <= window.start
    assert own.end is None or (window.end is not None and window.end <= own.end)


def test_the_pre_pipl_rules_give_way_to_the_pipl_on_its_first_day() -> None:
    assert {
        "CG-CSL-041-NO-PRIOR-NOTICE",
        "CG-CSL-041-FORCED-COLLECTION",
        "CG-CSL-041-BEYOND-NECESSARY",
        "CG-CSL-041-THIRD-PARTY-SOURCE-NO-BASIS",
        "CG-CSL-042-SHARING-WITHOUT-CONSENT",
        "CG-CSL-043-RIGHTS-CHANNEL-MISSING",
        "CG-CPL-029-MARKETING-WITHOUT-CONSENT",
        "CG-ECL-018-NO-NONTARGETED-OPTION",
    } == PRE_PIPL
    eve, first = date(2021, 10, 31), date(2021, 11, 1)
    for rule_id in PRE_PIPL:
        rule = rule_by_id(rule_id)
        assert rule is not None and rule.superseded_by is not None
        successor = next(r for r in all_rules() if r.citations[0] == rule.superseded_by)
        assert rule.applies_at(eve) and not rule.applies_at(first), rule_id
        assert successor.applies_at(first) and not successor.applies_at(eve), successor.id


@pytest.mark.parametrize(
    ("rule_id", "path"),
    [f for kind in ("pass", "fail", "unknown") for f in fixtures(kind)],
    ids=lambda v: getattr(v, "name", v),
)
def test_a_fixture_dates_conduct_its_rule_judges(rule_id: str, path: Path) -> None:
    rule = rule_by_id(rule_id)
    assert rule is not None
    as_of = load_manifest(path).manifest.as_of
    if rule_id in PRE_PIPL:
        assert as_of is not None, f"{path.name}: a pre-PIPL fixture states as_of"
    assert rule.applies_at(as_of), f"{rule_id} does not judge conduct on {as_of} ({path.name})"


@pytest.mark.parametrize(
    ("rule_id", "path"),
    [f for f in fixtures("fail") if f[0] in PRE_PIPL],
    ids=lambda v: getattr(v, "name", v),
)
def test_a_pre_pipl_breach_is_reported_citing_only_the_law_then_in_force(rule_id: str, path: Path) -> None:
    """Through the engine: its citations are those of its day, and none is dropped to nothing."""
    loaded = load_manifest(path)
    rule = rule_by_id(rule_id)
    assert rule is not None and loaded.manifest.as_of is not None
    findings = [f for f in evaluate(loaded, [rule]) if not f.unconfirmed]
    assert findings, f"{rule_id} reported nothing for {path.name}"
    catalog = load_catalog()
    for finding in findings:
        assert finding.citations
        assert catalog.in_force_at(finding.citations, loaded.manifest.as_of) == finding.citations
        assert not any(c.startswith("PIPL-") for c in finding.citations)


def test_a_rule_out_of_its_window_is_not_run() -> None:
    path = Path(__file__).parent / "CG-CSL-042-SHARING-WITHOUT-CONSENT" / "fail" / "affiliates-no-basis.yaml"
    loaded = load_manifest(path)
    rule = rule_by_id("CG-CSL-042-SHARING-WITHOUT-CONSENT")
    assert rule is not None
    later = loaded.manifest.model_copy(update={"as_of": date(2021, 11, 1)})
    earlier = loaded.manifest.model_copy(update={"as_of": rule.window().start - timedelta(days=1)})
    for manifest in (later, earlier):
        assert evaluate(type(loaded)(loaded.path, manifest, loaded.positions), [rule]) == []
