"""Anonymised data is not personal information (PIPL 4): no rule about PI reports on it, through the audit.

De-identified data is: a pseudonym keeps every finding. The filter is the engine's, so these tests go
through `audit.engine.evaluate`, and the pointer forms it understands are checked one by one.
"""

from __future__ import annotations

import pytest

from consentgate.audit.engine import evaluate
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Unknown, rule_by_id
from consentgate.rules.personal import concerns_only_anonymised, data_at, personal_ids
from consentgate.text import Text

SENSITIVE = "CG-PIPL-029-SENSITIVE-WITHOUT-SEPARATE-CONSENT"
SHARING = "CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT"
PUBLIC = "CG-PIPL-025-PUBLIC-WITHOUT-SEPARATE-CONSENT"


def _face_app(face: str) -> str:
    return f"""
app: {{name: Gym, type: sports-fitness}}
data:
  - {{id: face, category: biometric.face{face}}}
purposes:
  - {{id: check-in, kind: add-on, user_selected: true, basis: consent, data: [face]}}
"""


def _rules_found(text: str) -> set[str]:
    """Through the engine, with the rules these tests are about (others are judged by their own tests)."""
    rules = [r for r in map(rule_by_id, (SENSITIVE, SHARING, PUBLIC)) if isinstance(r, Rule)]
    return {f.rule_id for f in evaluate(parse_manifest(text), rules) if not f.unconfirmed}


def test_sensitive_data_on_plain_consent_is_reported() -> None:
    assert SENSITIVE in _rules_found(_face_app(""))


def test_anonymised_sensitive_data_is_not_personal_information() -> None:
    assert SENSITIVE not in _rules_found(_face_app(", identifiable: false"))


def test_deidentified_sensitive_data_is_still_reported() -> None:
    assert SENSITIVE in _rules_found(_face_app(", deidentified: true"))


_SHARE = """
app: {{name: Shop, type: online-shopping}}
data:
  - {{id: phone, category: contact.phone}}
  - {{id: sales-stats, category: order.history, identifiable: false}}
purposes:
  - {{id: share, kind: sharing, basis: none, data: [{data}], recipients: [partner]}}
  - {{id: public-stats, kind: analytics, basis: none, data: [sales-stats], disclosure: {{audience: public}}}}
recipients:
  - {{id: partner, name: Partner Ltd, kind: third-party, named_in_notice: true}}
"""


def test_the_same_data_not_anonymised_is_reported() -> None:
    text = _SHARE.format(data="sales-stats").replace(", identifiable: false", "")
    assert {SHARING, PUBLIC} <= _rules_found(text)


def test_providing_anonymised_data_needs_no_consent() -> None:
    """AVIM 5.1 and Civil Code 1038: only data neither consented to nor anonymised may not be given."""
    assert SHARING not in _rules_found(_SHARE.format(data="sales-stats"))
    assert PUBLIC not in _rules_found(_SHARE.format(data="sales-stats"))


def test_providing_personal_data_alongside_still_needs_it() -> None:
    assert SHARING in _rules_found(_SHARE.format(data="phone, sales-stats"))


# ---------------------------------------------------------------- the pointer forms

_FORMS = parse_manifest(
    """
app: {name: Shop, type: online-shopping}
data:
  - {id: phone, category: contact.phone}
  - {id: stats, category: behavior.usage, identifiable: false}
purposes:
  - {id: only-stats, kind: analytics, basis: none, data: [stats], disclosure: {audience: public, data: [stats]}}
  - {id: both, kind: analytics, basis: none, data: [phone, stats]}
  - {id: give-stats, kind: sharing, basis: none, data: [stats], recipients: [stats-buyer]}
recipients:
  - {id: abroad, name: Abroad Inc, kind: third-party}
  - {id: stats-buyer, name: Stats Ltd, kind: third-party}
onboarding:
  - id: form
    fields: [{data: phone}, {data: stats}]
cross_border:
  - {id: export, recipient: abroad, country: US, data: [stats]}
"""
).manifest
_SAYS = Text(zh="……", en="...")


@pytest.mark.parametrize(
    ("at", "item"),
    [
        ("/data/stats/source", "stats"),
        ("/purposes/both/data/0", "phone"),
        ("/purposes/both/data/1", "stats"),
        ("/purposes/only-stats/disclosure/data/0", "stats"),
        ("/onboarding/form/fields/1", "stats"),
        ("/onboarding/form/fields/0/required", "phone"),
        ("/cross_border/export/data/0", "stats"),
        ("/purposes/both/data/9", None),
        ("/purposes/both/basis", None),
        ("/rights/copy", None),
    ],
)
def test_a_pointer_names_the_data_item_it_lands_on(at: str, item: str | None) -> None:
    found = data_at(_FORMS, at)
    assert (found.id if found else None) == item


@pytest.mark.parametrize(
    ("result", "dropped"),
    [
        (Hit("/purposes/both", _SAYS, data=("stats",)), True),
        (Hit("/purposes/both", _SAYS, data=("phone", "stats")), False),
        (Hit("/consent/form", _SAYS, purpose="only-stats"), True),
        (Hit("/consent/form", _SAYS, purpose="both"), False),
        (Hit("/purposes/only-stats/basis", _SAYS), True),
        (Hit("/purposes/both/data/1", _SAYS), True),
        (Hit("/purposes/both/data/0", _SAYS), False),
        (Unknown("/purposes/only-stats/disclosure/default_visible", "purposes[only-stats]..."), True),
        (Unknown("/onboarding/form/fields/1/required", "onboarding[form]..."), True),
        (Unknown("/consent/form", "consent.form"), False),
        (Hit("/data/ghost", _SAYS, data=("ghost",)), False),
        (Hit("/cross_border/export/basis", _SAYS), True),
        (Hit("/recipients/stats-buyer/named_in_notice", _SAYS), True),
        (Unknown("/recipients/abroad/country", "recipients[abroad].country"), True),
        (Hit("/rights/copy", _SAYS), False),
    ],
    ids=lambda v: v.pointer if isinstance(v, Hit | Unknown) else str(v),
)
def test_only_results_about_anonymised_data_alone_are_dropped(result: Hit | Unknown, dropped: bool) -> None:
    assert concerns_only_anonymised(_FORMS, result) is dropped


def test_personal_ids_keeps_personal_and_unknown_ids() -> None:
    manifest: Manifest = _FORMS
    assert personal_ids(manifest, ["phone", "stats", "ghost"]) == ["phone", "ghost"]
