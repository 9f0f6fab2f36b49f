"""The hash chain, as pure functions: canonical JSON and SHA-256 links.

A record's hash is `SHA-256(prev_hash || canonical JSON of {seq, id, kind, payload, created_at})`,
where `prev_hash` is the 64 hex digits of the previous record's hash (64 zeros for the first record)
and canonical JSON is: keys sorted, no whitespace, UTF-8, non-ASCII characters kept as they are.
Anyone can re-check a chain with these few lines and no consentgate code: that is the point.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from json.encoder import encode_basestring
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64


def _json_default(value: object) -> object:
    # Values callers naturally hand over that JSON has no type for; each maps to one stable form.
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date | UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=canonical_json)
    raise TypeError(f"{value.__class__.__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII kept; NaN and infinities are refused (not JSON)."""
    return _ENCODER.encode(value)


def _json_string(value: str) -> str:
    # What `canonical_json` gives for a string, without the encoder's set-up (the flusher's hot loop).
    text: str = encode_basestring(value)
    return text


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive time (SQLite hands those back) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp_text(moment: datetime) -> str:
    """One spelling per instant: UTC, microseconds, `Z` — what both databases store exactly."""
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def record_content(seq: int, record_id: str, kind: str, payload_json: str, created_at: datetime | str) -> str:
    """Canonical JSON of `{seq, id, kind, payload, created_at}` with the payload already canonical.

    Composed by hand (keys in sorted order) so that the payload is hashed exactly as stored, with no
    second round of parsing; `test_chain` proves it equals `canonical_json` of the whole object.
    `created_at` may be given as its `timestamp_text` already (a batch shares one time).
    """
    created = created_at if isinstance(created_at, str) else timestamp_text(created_at)
    return (
        f'{{"created_at":{_json_string(created)}'
        f',"id":{_json_string(record_id)}'
        f',"kind":{_json_string(kind)}'
        f',"payload":{payload_json}'
        f',"seq":{int(seq)}}}'
    )


def link_hash(prev_hash: str, content: str) -> str:
    """SHA-256 over the previous hash (its 64 hex characters) followed by the content, as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + content.encode("utf-8")).hexdigest()


def record_hash(
    prev_hash: str, seq: int, record_id: str, kind: str, payload_json: str, created_at: datetime | str
) -> str:
    return link_hash(prev_hash, record_content(seq, record_id, kind, payload_json, created_at))


def payload_json(payload: Mapping[str, Any]) -> str:
    """The canonical text of a payload, which is what the log stores and hashes."""
    return canonical_json(dict(payload))
