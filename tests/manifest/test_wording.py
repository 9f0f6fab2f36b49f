"""Retention is written in words people read, in both languages; old manifests with a plain string stay valid."""

from __future__ import annotations

import jsonschema
import pytest

from consentgate.errors import ManifestErrors
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import Label
from consentgate.manifest.schema import manifest_schema

HEAD = "app: {name: demo, type: learning-education}\n"


def _item(retention: str) -> str:
    return HEAD + f"data:\n  - {{id: phone, category: contact.phone, retention: {retention}}}\n"


def test_a_plain_retention_string_is_the_chinese_text() -> None:
    manifest = parse_manifest(_item("注销后删除")).manifest
    assert manifest.data_item("phone").retention == Label(zh="注销后删除")


def test_retention_takes_both_languages() -> None:
    manifest = parse_manifest(_item("{zh: 注销后删除, en: Deleted when you leave}")).manifest
    assert manifest.data_item("phone").retention == Label(zh="注销后删除", en="Deleted when you leave")


def test_a_misspelt_language_key_is_reported_where_it_is() -> None:
    with pytest.raises(ManifestErrors) as raised:
        parse_manifest(_item("{zh: 注销后删除, eng: Deleted}"), "app.yaml")
    (error,) = raised.value.errors
    assert error.location is not None and error.location.pointer == "/data/phone/retention/eng"
    assert "did you mean 'en'" in error.text.en


def test_notice_retention_statement_is_part_of_the_notice() -> None:
    source = (
        HEAD
        + "notices:\n  - {id: p, version: '1', shown: before-collection, retention_statement: {zh: 三年}}\n"
    )
    assert parse_manifest(source).manifest.notices[0].retention_statement == Label(zh="三年")


@pytest.mark.parametrize("retention", ["注销后删除", {"zh": "注销后删除", "en": "Deleted"}])
def test_the_schema_accepts_both_forms(retention: object) -> None:
    validator = jsonschema.Draft202012Validator(manifest_schema())
    manifest = {
        "app": {"name": "demo", "type": "x"},
        "data": [{"id": "a", "category": "c", "retention": retention}],
    }
    assert list(validator.iter_errors(manifest)) == []
    bad = {**manifest, "data": [{"id": "a", "category": "c", "retention": {"fr": "x"}}]}
    assert list(validator.iter_errors(bad))
