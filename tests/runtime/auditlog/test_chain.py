"""The chain's pure functions: canonical JSON and the SHA-256 link, checked against the spec by hand."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from consentgate.runtime.auditlog.chain import (
    GENESIS_HASH,
    canonical_json,
    payload_json,
    record_content,
    record_hash,
    timestamp_text,
)

MOMENT = datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_chinese() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": "同意"}]}) == '{"a":[1,{"c":"同意","d":2}],"b":1}'


def test_canonical_json_refuses_nan_and_unknown_types() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_payload_normalizes_tuples_sets_and_times() -> None:
    text = payload_json({"data": ("phone", "name"), "tags": frozenset({"b", "a"}), "at": MOMENT})
    assert json.loads(text) == {
        "data": ["phone", "name"],
        "tags": ["a", "b"],
        "at": "2026-01-05T09:00:00.123456Z",
    }


def test_timestamps_are_one_spelling_per_instant() -> None:
    beijing = MOMENT.astimezone(timezone(timedelta(hours=8)))
    naive_utc = MOMENT.replace(tzinfo=None)
    assert timestamp_text(beijing) == timestamp_text(naive_utc) == "2026-01-05T09:00:00.123456Z"


def test_composed_content_equals_canonical_json_of_the_whole_record() -> None:
    payload = {"purpose": "个性化推送", "data": ["occupation"], "n": 1.5}
    composed = record_content(7, "rec-1", "consent.given", payload_json(payload), MOMENT)
    whole = canonical_json(
        {
            "seq": 7,
            "id": "rec-1",
            "kind": "consent.given",
            "payload": payload,
            "created_at": timestamp_text(MOMENT),
        }
    )
    assert composed == whole


def test_hash_is_sha256_of_prev_hash_then_content() -> None:
    text = payload_json({"a": "是"})
    content = '{"created_at":"2026-01-05T09:00:00.123456Z","id":"r","kind":"k","payload":{"a":"是"},"seq":1}'
    expected = hashlib.sha256((GENESIS_HASH + content).encode("utf-8")).hexdigest()
    assert record_hash(GENESIS_HASH, 1, "r", "k", text, MOMENT) == expected
    assert GENESIS_HASH == "0" * 64


def test_any_field_changes_the_hash() -> None:
    base = record_hash(GENESIS_HASH, 1, "r", "k", "{}", MOMENT)
    assert base != record_hash(GENESIS_HASH, 2, "r", "k", "{}", MOMENT)
    assert base != record_hash(GENESIS_HASH, 1, "s", "k", "{}", MOMENT)
    assert base != record_hash(GENESIS_HASH, 1, "r", "l", "{}", MOMENT)
    assert base != record_hash(GENESIS_HASH, 1, "r", "k", '{"a":1}', MOMENT)
    assert base != record_hash(GENESIS_HASH, 1, "r", "k", "{}", MOMENT + timedelta(microseconds=1))
    assert base != record_hash("1" * 64, 1, "r", "k", "{}", MOMENT)
