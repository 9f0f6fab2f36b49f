"""The `conduct:` section: optional, strict about its keys, tri-state in its facts, checked in its references."""

from __future__ import annotations

import datetime as dt

import pytest

from consentgate.errors import ManifestErrors
from consentgate.manifest.conduct import MessageChannel, Outcome, SentAfter
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import Channel
from consentgate.manifest.schema import manifest_schema

HEAD = """\
app: {name: Shop, type: online-shopping}
data: [{id: phone, category: contact.phone}]
purposes:
  - {id: offers, kind: marketing, basis: consent, channel: sms, data: [phone], recipients: [affiliate]}
recipients:
  - {id: affiliate, name: 关联商城, kind: affiliate}
onboarding:
  - {id: login, fields: [{data: phone}]}
"""


def test_message_channels_are_the_channels_purposes_use() -> None:
    assert [c.value for c in MessageChannel] == [c.value for c in Channel]


def test_a_manifest_without_conduct_records_none() -> None:
    manifest = parse_manifest(HEAD).manifest
    assert manifest.conduct is None
    assert not manifest.states("conduct")


def test_records_read_dates_and_leave_unstated_facts_unknown() -> None:
    manifest = parse_manifest(
        HEAD
        + """\
conduct:
  messages:
    - {id: td, purpose: offers, after: unsubscribe, first_sent: 2024-01-02, count: unknown}
  requests:
    - {right: copy, outcome: refused, reason: none}
    - {right: delete, reason: unknown}
"""
    ).manifest
    assert manifest.conduct is not None
    sent = manifest.conduct.messages[0]
    assert (sent.after, sent.first_sent, sent.count, sent.channel) == (
        SentAfter.UNSUBSCRIBE,
        dt.date(2024, 1, 2),
        None,
        None,
    )
    refused, unanswered = manifest.conduct.requests
    assert refused.outcome is Outcome.REFUSED and refused.gave_reason is False
    assert unanswered.outcome is None and unanswered.gave_reason is None
    assert unanswered.channel_published is None


def test_a_misspelt_conduct_key_is_an_error() -> None:
    with pytest.raises(ManifestErrors) as raised:
        parse_manifest(HEAD + "conduct:\n  messages:\n    - {purpose: offers, afterr: refusal}\n")
    assert "afterr" in raised.value.text.en


def test_conduct_references_are_checked_where_they_are_written() -> None:
    with pytest.raises(ManifestErrors) as raised:
        parse_manifest(
            HEAD
            + """\
conduct:
  provisions:
    - {id: p1, recipient: afiliate, data: [phone], purpose: offer}
  collections:
    - {data: [phone], screen: logn}
  incidents:
    - {data: [phon]}
"""
        )
    pointers = {error.location.pointer for error in raised.value.errors if error.location}
    assert pointers == {
        "/conduct/provisions/p1/recipient",
        "/conduct/provisions/p1/purpose",
        "/conduct/collections/0/screen",
        "/conduct/incidents/0/data/0",
    }
    assert "did you mean 'affiliate'" in raised.value.text.en


def test_the_schema_offers_the_conduct_section() -> None:
    schema = manifest_schema()
    assert "conduct" in schema["properties"]
    assert {"messages", "requests", "provisions", "collections", "incidents"} <= set(
        schema["$defs"]["Conduct"]["properties"]
    )
