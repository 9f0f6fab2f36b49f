"""Every rule fires on each of its fail fixtures (where they say), stays quiet on its pass fixtures, and
on its unknown fixtures concludes nothing but names the unstated facts it needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.manifest.loader import load_manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown, rule_by_id
from tests.rules.conftest import expected_facts, expected_pointers, fixtures


def _rule(rule_id: str) -> Rule:
    rule = rule_by_id(rule_id)
    assert rule is not None, f"fixture folder {rule_id} names no registered rule"
    return rule


def _hits(rule_id: str, path: Path) -> list[str]:
    return [r.pointer for r in _rule(rule_id).evaluate(load_manifest(path).manifest) if isinstance(r, Hit)]


def _unknown(rule_id: str, path: Path) -> list[str]:
    return [r.fact for r in _rule(rule_id).evaluate(load_manifest(path).manifest) if isinstance(r, Unknown)]


@pytest.mark.parametrize(("rule_id", "path"), fixtures("fail"), ids=lambda v: getattr(v, "name", v))
def test_rule_fires_on_fail_fixture(rule_id: str, path: Path) -> None:
    pointers = _hits(rule_id, path)
    assert pointers, f"{rule_id} found nothing in {path}"
    for expected in expected_pointers(path):
        assert expected in pointers, f"{rule_id} did not point at {expected}; it pointed at {pointers}"


@pytest.mark.parametrize(("rule_id", "path"), fixtures("fail"), ids=lambda v: getattr(v, "name", v))
def test_a_hits_own_clauses_are_among_its_rules_citations(rule_id: str, path: Path) -> None:
    """`consentgate rules` lists what a rule may cite: a hit naming its exact clauses stays within it."""
    rule = rule_by_id(rule_id)
    assert rule is not None
    for hit in rule.evaluate(load_manifest(path).manifest):
        if isinstance(hit, Hit):
            assert set(hit.only or ()) <= set(rule.citations), f"{rule_id} cites {hit.only} beyond its list"


@pytest.mark.parametrize(("rule_id", "path"), fixtures("pass"), ids=lambda v: getattr(v, "name", v))
def test_rule_is_quiet_on_pass_fixture(rule_id: str, path: Path) -> None:
    """A pass fixture states every fact the rule needs: no violation and nothing left unchecked."""
    assert _hits(rule_id, path) == []
    assert _unknown(rule_id, path) == []


@pytest.mark.parametrize(("rule_id", "path"), fixtures("unknown"), ids=lambda v: getattr(v, "name", v))
def test_rule_concludes_nothing_from_an_unstated_fact(rule_id: str, path: Path) -> None:
    """An unknown fixture leaves out (or writes `unknown` for) a fact the rule needs."""
    assert _hits(rule_id, path) == [], f"{rule_id} read silence in {path} as a violation"
    facts = _unknown(rule_id, path)
    assert facts, f"{rule_id} did not say what it could not check in {path}"
    for expected in expected_facts(path):
        assert expected in facts, f"{rule_id} did not name {expected}; it named {facts}"


def test_every_rule_has_an_unknown_fixture() -> None:
    """Each rule says what it cannot check: one fixture at least leaves a needed fact unstated."""
    rules = {rule_id for rule_id, _ in fixtures("fail")}
    assert rules <= {rule_id for rule_id, _ in fixtures("unknown")}


def test_one_box_over_purposes_of_one_kind_is_the_milder_form() -> None:
    """Mixed kinds in one box void the consent (high); one kind only loses the choice (medium)."""
    folder = Path(__file__).parent / "CG-PIPL-016-CONSENT-AS-CONDITION" / "fail"
    rule = rule_by_id("CG-PIPL-016-CONSENT-AS-CONDITION")
    assert rule is not None
    one_kind = [
        h
        for h in rule.evaluate(load_manifest(folder / "one-box-two-purposes-of-one-kind.yaml").manifest)
        if isinstance(h, Hit)
    ]
    mixed = [
        h
        for h in rule.evaluate(load_manifest(folder / "one-box-mixed-kinds.yaml").manifest)
        if isinstance(h, Hit)
    ]
    assert [h.severity for h in one_kind] == [Severity.MEDIUM]
    assert [h.severity for h in mixed] == [None]  # the rule's own: high


def test_a_missing_english_name_is_the_milder_form() -> None:
    """Chinese governs: without it the purpose is unnamed (medium); without English only, low."""
    folder = Path(__file__).parent / "CG-PIPL-017-NOTICE-LABELS-MISSING" / "fail"
    rule = rule_by_id("CG-PIPL-017-NOTICE-LABELS-MISSING")
    assert rule is not None
    zh_only = rule.evaluate(load_manifest(folder / "purposes-without-labels.yaml").manifest)
    en_too = rule.evaluate(load_manifest(folder / "english-notice-missing-english-names.yaml").manifest)
    assert {h.pointer: h.severity for h in zh_only if isinstance(h, Hit)} == {
        "/purposes/recommend": None,
        "/purposes/offers/label": None,
    }
    assert {h.severity for h in en_too if isinstance(h, Hit)} == {Severity.LOW}


def test_a_finding_that_rests_on_the_miit_drafts_says_so() -> None:
    """Text reports print citations as ids only: the message itself must say the wording is a draft."""
    path = Path(__file__).parent / "CG-PIPL-016-NOTICE-AGREE-OR-LEAVE" / "fail" / "agree-or-exit.yaml"
    rule = rule_by_id("CG-PIPL-016-NOTICE-AGREE-OR-LEAVE")
    assert rule is not None
    hit = next(h for h in rule.evaluate(load_manifest(path).manifest) if isinstance(h, Hit))
    assert "MIIT-2023-26.pi.1：征求意见稿原文，非最终文本" in hit.message.zh
    assert "MIIT-2021-draft.refusal-must-not-block: secondary: not the document's wording" in hit.message.en
    assert "PIPL-16" not in hit.message.en  # verified text needs no warning
