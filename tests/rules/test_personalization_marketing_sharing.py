"""Issue 13 for the personalization, marketing and sharing rules: what counts as stated, and what
each finding is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.manifest.loader import load_manifest, parse_manifest
from consentgate.manifest.models import DataSource
from consentgate.rules.base import Hit, Unknown, rule_by_id
from consentgate.rules.facts import data_sources
from tests.rules.conftest import fixtures

RULES = {
    "CG-ARP-016-NOT-LABELLED",
    "CG-ARP-017-NO-TAG-CONTROLS",
    "CG-CIVIL-1033-ADDRESS-BOOK-MARKETING",
    "CG-PIPL-013-MARKETING-WITHOUT-CONSENT",
    "CG-PIPL-013-PERSONALIZATION-AS-CONTRACT",
    "CG-PIPL-013-THIRD-PARTY-SOURCE-NO-BASIS",
    "CG-PIPL-014-DERIVED-BEYOND-CONSENT",
    "CG-PIPL-015-MARKETING-NO-UNSUBSCRIBE",
    "CG-PIPL-023-ONE-BOX-SEVERAL-RECIPIENTS",
    "CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT",
    "CG-PIPL-024-NO-NONPERSONALIZED-OPTION",
    "CG-PIPL-039-CROSS-BORDER-WITHOUT-SEPARATE-CONSENT",
}


def _results(rule_id: str, text: str) -> list[Hit | Unknown]:
    rule = rule_by_id(rule_id)
    assert rule is not None
    return list(rule.evaluate(parse_manifest(text).manifest))


@pytest.mark.parametrize(
    ("rule_id", "path"),
    [(r, p) for r, p in fixtures("fail") if r in RULES],
    ids=lambda v: getattr(v, "name", v),
)
def test_every_finding_names_the_data_it_is_about(rule_id: str, path: Path) -> None:
    rule = rule_by_id(rule_id)
    assert rule is not None
    manifest = load_manifest(path).manifest
    for hit in (h for h in rule.evaluate(manifest) if isinstance(h, Hit)):
        assert hit.data, f"{rule_id} at {hit.pointer} names no data"
        assert set(hit.data) <= set(manifest.data_by_id), hit.data
        assert hit.purpose is None or hit.purpose in manifest.purposes_by_id


def test_a_purpose_finding_names_its_purpose() -> None:
    text = """
app: {name: Learn, type: learning-education}
data: [{id: level, category: profile.language-level}]
purposes:
  - {id: push, kind: personalization, basis: contract-necessity, data: [level]}
"""
    [hit] = _results("CG-PIPL-013-PERSONALIZATION-AS-CONTRACT", text)
    assert isinstance(hit, Hit)
    assert (hit.purpose, hit.data) == ("push", ("level",))


def test_what_a_screen_asks_for_or_an_item_is_derived_from_states_its_source() -> None:
    manifest = parse_manifest("""
app: {name: Learn, type: learning-education}
data:
  - {id: name, category: identity.name}
  - {id: tags, category: profile.inferred-tags, derived_from: [name]}
  - {id: store-phone, category: contact.phone, provenance: {party: 合作线下体验店}}
  - {id: typed-but-bought, category: contact.phone, provenance: {party: 某数据商}}
  - {id: leads, category: contact.phone}
  - {id: stated, category: contact.phone, source: offline-partner}
onboarding:
  - id: sign-up
    fields: [{data: name}, {data: typed-but-bought}]
""").manifest
    assert data_sources(manifest) == {
        "name": DataSource.USER,
        "tags": DataSource.DERIVED,
        "store-phone": None,  # someone else gave it; which kind of source is not stated
        "typed-but-bought": None,  # a provenance says it did not come from the person
        "leads": None,
        "stated": DataSource.OFFLINE_PARTNER,
    }


def test_copy_naming_others_is_asked_where_messages_reach_address_books() -> None:
    text = """
app: {name: Workplace, type: job-seeking}
data:
  - {id: invitee-phone, category: contact.phone, source: others-address-book}
  - {id: phone, category: contact.phone, source: user}
purposes:
  - id: invite-sms
    kind: marketing
    basis: consent
    channel: sms
    data: [invitee-phone]
    marketing: {unsubscribe: true, audience: [address-book]}
  - id: job-alerts
    kind: marketing
    basis: consent
    channel: sms
    data: [phone]
    marketing: {unsubscribe: true, audience: [own-consenting-users]}
"""
    results = _results("CG-CIVIL-1033-ADDRESS-BOOK-MARKETING", text)
    assert [r.fact for r in results if isinstance(r, Unknown)] == [
        "purposes[invite-sms].marketing.names_other_people"
    ]
    assert [r.pointer for r in results if isinstance(r, Hit)] == [
        "/purposes/invite-sms/marketing/audience/0",
        "/purposes/invite-sms/data/0",
    ]


def test_a_box_covering_two_recipients_through_a_consent_purpose_is_found_whatever_the_other() -> None:
    """The purpose with no basis stated cannot take away the breach the stated one already makes."""
    text = """
app: {name: Shop, type: online-shopping}
data: [{id: phone, category: contact.phone}]
purposes:
  - {id: share-a, kind: sharing, basis: separate-consent, data: [phone], recipients: [partner-a, partner-b]}
  - {id: share-c, kind: sharing, data: [phone], recipients: [partner-c]}
recipients:
  - {id: partner-a, name: 甲, kind: third-party, named_in_notice: true}
  - {id: partner-b, name: 乙, kind: third-party, named_in_notice: true}
  - {id: partner-c, name: 丙, kind: third-party, named_in_notice: true}
onboarding:
  - id: opt-in
    consent_boxes: [{purposes: [share-a, share-c]}]
"""
    [hit] = _results("CG-PIPL-023-ONE-BOX-SEVERAL-RECIPIENTS", text)
    assert isinstance(hit, Hit) and hit.pointer == "/onboarding/opt-in/consent_boxes/0"
    assert hit.purpose == "share-a" and hit.data == ("phone",)


def test_a_recipient_stated_inside_china_needs_no_separate_consent_for_export() -> None:
    text = """
app: {name: Learn, type: learning-education}
data: [{id: device-id, category: device.identifiers}]
purposes:
  - {id: ads, kind: marketing, data: [device-id], recipients: [cn-ads]}
recipients:
  - {id: cn-ads, name: 国内广告平台, kind: sdk, country: cn}
"""
    assert _results("CG-PIPL-039-CROSS-BORDER-WITHOUT-SEPARATE-CONSENT", text) == []


def test_a_transfer_entry_states_where_its_recipient_is() -> None:
    text = """
app: {name: Learn, type: learning-education}
data: [{id: usage, category: behavior.usage}]
purposes:
  - {id: stats, kind: analytics, basis: consent, data: [usage], recipients: [analytics]}
recipients:
  - {id: analytics, name: Analytics Inc., kind: entrusted}
cross_border:
  - {id: to-us, recipient: analytics, country: US, data: [usage], basis: consent}
"""
    results = _results("CG-PIPL-039-CROSS-BORDER-WITHOUT-SEPARATE-CONSENT", text)
    assert [r.pointer for r in results] == ["/cross_border/to-us/basis", "/purposes/stats/recipients/0"]
    assert all(isinstance(r, Hit) for r in results)
