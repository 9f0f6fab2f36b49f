"""The JSON Schema editors use must accept what the loader accepts and reject unknown fields."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from consentgate.law.catalog import load_catalog
from consentgate.manifest.schema import SCHEMA_DIALECT, SCHEMA_ID, manifest_schema
from consentgate.manifest.starter import render_starter

# Manifests among the examples: YAML files with a top-level `app` (the demo also ships a lesson catalog).
EXAMPLES = sorted(
    path
    for path in (Path(__file__).parents[2] / "examples").rglob("*.yaml")
    if any(line.startswith("app:") for line in path.read_text("utf-8").splitlines())
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = manifest_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_names_its_dialect_and_itself() -> None:
    schema = manifest_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"]
    assert schema["additionalProperties"] is False
    assert "app" in schema["required"]


def test_rights_use_the_written_name_copy(validator: jsonschema.Draft202012Validator) -> None:
    assert "copy" in manifest_schema()["$defs"]["Rights"]["properties"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_satisfy_the_schema(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    assert list(validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))) == []


def test_every_starter_satisfies_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    for app_type in load_catalog().app_types.values():
        assert list(validator.iter_errors(yaml.safe_load(render_starter(app_type)))) == [], app_type.slug


def test_unknown_field_and_bad_enum_fail_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    manifest = yaml.safe_load(render_starter(load_catalog().app_types["learning-education"]))
    assert not list(validator.iter_errors(manifest))
    assert list(validator.iter_errors({**manifest, "purpose": []}))
    broken = {**manifest, "purposes": [{**manifest["purposes"][0], "basis": "contract"}]}
    assert list(validator.iter_errors(broken))
