"""A service outside the 39 app types states its basic service; `validate` holds it to that.

`app.type: other` needs `app.basic_service` (what the service is), may list `app.necessary_data`
(the categories it cannot work without), and only `other` may: for the 39 types the law fixes both.
"""

from __future__ import annotations

import pytest

from consentgate.errors import ManifestErrors
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.schema import manifest_schema

OTHER = """\
app:
  name: Gym
  type: other
  basic_service: {zh: 健身房会员入场, en: gym membership and entry}
  necessary_data: [contact.phone]
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(ManifestErrors) as caught:
        parse_manifest(text, "m.yaml")
    return [e.text.en for e in caught.value.errors]


def test_other_with_a_stated_basic_service_is_valid() -> None:
    app = parse_manifest(OTHER, "m.yaml").manifest.app
    assert app.type == "other"
    assert app.necessary_data == ["contact.phone"]
    assert app.basic_service is not None and app.basic_service.zh == "健身房会员入场"


def test_a_plain_string_basic_service_is_the_chinese_text() -> None:
    text = OTHER.replace("{zh: 健身房会员入场, en: gym membership and entry}", "健身房会员入场")
    app = parse_manifest(text, "m.yaml").manifest.app
    assert app.basic_service is not None and app.basic_service.zh == "健身房会员入场"


def test_necessary_data_may_be_unknown() -> None:
    text = OTHER.replace("[contact.phone]", "unknown")
    assert parse_manifest(text, "m.yaml").manifest.app.necessary_data is None


def test_other_without_a_basic_service_is_invalid() -> None:
    text = "app: {name: Gym, type: other, necessary_data: [contact.phone]}\n"
    (error,) = _errors(text)
    assert "m.yaml:1:" in error and "app.basic_service" in error


def test_an_empty_basic_service_is_no_statement() -> None:
    assert any(
        "app.basic_service" in e for e in _errors("app: {name: Gym, type: other, basic_service: {}}\n")
    )


def test_necessary_data_names_known_categories() -> None:
    (error,) = _errors(OTHER.replace("[contact.phone]", "[contact.phonee]"))
    assert "unknown data category 'contact.phonee'" in error and "contact.phone" in error
    assert "m.yaml:5:" in error


@pytest.mark.parametrize("field", ["basic_service", "necessary_data"])
def test_only_other_states_its_own_basic_service(field: str) -> None:
    value = "{zh: 在线课程}" if field == "basic_service" else "[contact.phone, profile.occupation]"
    text = f"app:\n  name: Learn\n  type: learning-education\n  {field}: {value}\n"
    (error,) = _errors(text)
    assert f"app.{field} is only for app type 'other'" in error
    assert "m.yaml:4:" in error


def test_an_unknown_type_suggests_other_too() -> None:
    (error,) = _errors("app: {name: Gym, type: othr}\n")
    assert "did you mean 'other'" in error


def test_the_schema_offers_the_new_fields() -> None:
    app = manifest_schema()["$defs"]["App"]["properties"]
    assert {"basic_service", "necessary_data"} <= set(app)
    assert "other" in app["type"]["description"]
