"""A subject's consents export as ISO/IEC 27560-style records with their notice and history."""

from __future__ import annotations

import json

import jsonschema

from consentgate.runtime.consent.schemas import Evidence, Mechanism
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.ports import FakeClock

from .conftest import NOTICE

_NULLABLE_TEXT = {"type": ["string", "null"]}
RECORD_SCHEMA = {
    "type": "object",
    "required": [
        "schema",
        "record_id",
        "pii_principal_id",
        "pii_controllers",
        "recipient",
        "notice",
        "purpose",
        "pii_categories",
        "state",
        "given_at",
        "withdrawn_at",
        "mechanism",
        "channel",
        "evidence",
        "events",
    ],
    "properties": {
        "record_id": {"type": "string", "minLength": 36},
        "pii_principal_id": {"type": "string"},
        "pii_controllers": {"type": "array", "minItems": 1},
        "notice": {
            "type": ["object", "null"],
            "required": ["id", "version", "content_hash", "hash_algorithm"],
            "properties": {"content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
        },
        "purpose": {"type": "object", "required": ["id", "legal_basis"]},
        "state": {"enum": ["active", "refused", "withdrawn", "expired"]},
        "given_at": _NULLABLE_TEXT,
        "withdrawn_at": _NULLABLE_TEXT,
        "events": {"type": "array", "minItems": 1},
    },
}


def test_export_records_carry_notice_state_timestamps_and_evidence(
    ledger: ConsentLedger, notices: NoticeService, clock: FakeClock
) -> None:
    ledger.register_subject("u1")
    given = ledger.give(
        "u1",
        "share-affiliates",
        notice_id=NOTICE,
        notice_version="2024-01",
        recipient="affiliate-app-a",
        data=["phone"],
        mechanism=Mechanism.SEPARATE,
        channel="app",
        evidence=Evidence(screen_id="marketing-opt-in", locale="zh-CN", user_agent="UA/1", ip_hash="k1:9f"),
    )
    clock.advance(days=3)
    withdrawn = ledger.withdraw("u1", "share-affiliates")
    ledger.give("u1", "marketing-sms", notice_id=NOTICE, notice_version="2024-01")

    records = ledger.export_records("u1")
    json.dumps(records)  # plain JSON
    for record in records:
        jsonschema.validate(record, RECORD_SCHEMA)
    by_purpose = {(r["purpose"]["id"], (r["recipient"] or {}).get("id")): r for r in records}
    assert set(by_purpose) == {
        ("marketing-sms", None),
        ("share-affiliates", "affiliate-app-a"),
        ("share-affiliates", None),
    }

    shared = by_purpose["share-affiliates", "affiliate-app-a"]
    assert shared["pii_principal_id"] == "u1"
    assert shared["pii_controllers"][0]["name"] == "北京某某科技有限公司"
    assert shared["recipient"] == {
        "id": "affiliate-app-a",
        "name": "关联软件甲",
        "kind": "affiliate",
        "role": "third_party",
    }
    published = notices.find(NOTICE, "2024-01")
    assert published is not None
    assert shared["notice"]["content_hash"] == published.content_hash
    assert shared["notice"]["version"] == "2024-01"
    assert shared["purpose"]["legal_basis"] == "separate-consent"
    assert shared["pii_categories"] == [{"data_item": "phone", "category": "contact.phone"}]
    assert shared["state"] == "withdrawn"
    assert shared["given_at"] == given.occurred_at.isoformat()
    assert shared["withdrawn_at"] == withdrawn.occurred_at.isoformat()
    assert [e["type"] for e in shared["events"]] == ["given", "withdrawn"]
    assert shared["events"][0]["evidence"]["ip_hash"] == "k1:9f"
    assert shared["events"][0]["mechanism"] == "separate"

    sms = by_purpose["marketing-sms", None]
    assert sms["state"] == "active" and sms["withdrawn_at"] is None
    assert sms["record_id"] != shared["record_id"]
    assert ledger.export_records("u1")[0]["record_id"] == records[0]["record_id"]  # stable ids
