"""Meta-tests: every rule is complete, cited, and has both kinds of fixture."""

from __future__ import annotations

import re

import pytest

from consentgate.law.catalog import load_catalog
from consentgate.rules.base import Rule, all_rules
from tests.rules.conftest import RULES_DIR

RULE_IDS = [rule.id for rule in all_rules()]


def test_rule_ids_are_unique_and_well_formed() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS))
    for rule_id in RULE_IDS:
        assert re.fullmatch(r"CG-[A-Z0-9]+-[0-9]{3,4}-[A-Z0-9-]+", rule_id), rule_id


@pytest.mark.parametrize("rule", all_rules(), ids=RULE_IDS)
def test_every_rule_has_pass_and_fail_fixtures(rule: Rule) -> None:
    for kind in ("pass", "fail"):
        assert list((RULES_DIR / rule.id / kind).glob("*.yaml")), f"{rule.id} has no {kind} fixture"


@pytest.mark.parametrize("rule", all_rules(), ids=RULE_IDS)
def test_every_citation_resolves_in_the_catalog(rule: Rule) -> None:
    catalog = load_catalog()
    assert rule.citations, f"{rule.id} cites nothing"
    for citation in rule.citations:
        assert catalog.resolves(citation), f"{rule.id} cites {citation}, which is not in the law catalog"


@pytest.mark.parametrize("rule", all_rules(), ids=RULE_IDS)
def test_every_rule_speaks_both_languages(rule: Rule) -> None:
    for text in (rule.title, rule.remediation, rule.rationale):
        assert text.zh.strip() and text.en.strip()
        assert re.search(r"[\u4e00-\u9fff]", text.zh), f"{rule.id}: zh text has no Chinese"


def test_fixture_folders_all_belong_to_rules() -> None:
    folders = {p.name for p in RULES_DIR.iterdir() if p.is_dir() and p.name.startswith("CG-")}
    assert folders <= set(RULE_IDS), folders - set(RULE_IDS)
