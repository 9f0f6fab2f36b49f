"""The browser side's pure parts: keyword catalog, parties, sent data, persona and flow files (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.errors import ManifestErrors, UsageError
from consentgate.law.catalog import load_catalog
from consentgate.observe.flow import load_flow, parse_flow
from consentgate.observe.keywords import catalog, field_category, role_of
from consentgate.observe.model import ControlRole, Party, Where
from consentgate.observe.parties import party, site_of
from consentgate.observe.persona import DEFAULT_PERSONA
from consentgate.observe.sent_data import find_sent, redact_text, redact_url


def test_every_field_category_in_the_keyword_catalog_is_a_taxonomy_category() -> None:
    known = set(load_catalog().categories)
    used = {entry.category for entry in catalog().fields if entry.category is not None}
    assert used <= known, used - known


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("不同意", ControlRole.REFUSE),
        ("同意并继续", ControlRole.AGREE),
        ("以后再说", ControlRole.SKIP),
        ("仅浏览", ControlRole.BROWSE),
        ("Not now", ControlRole.SKIP),
        ("I disagree", ControlRole.REFUSE),
        ("OK", ControlRole.AGREE),
        ("Book a demo", None),  # "ok" inside a word is no agreement
    ],
)
def test_control_text_reads_as_its_role(text: str, role: ControlRole | None) -> None:
    assert role_of(text) is role


def test_field_category_prefers_the_label_then_the_name_then_the_type() -> None:
    assert field_category("手机号 *", "x", "text") == (True, "contact.phone")
    assert field_category(None, "userEmail", "text") == (True, "contact.email")
    assert field_category(None, "q", "tel") == (True, "contact.phone")
    assert field_category("Page", "x", "text") == (False, None)  # "age" inside a word is no age


def test_sites_are_registrable_domains_and_addresses_are_their_own() -> None:
    assert site_of("a.b.example.com.cn") == "example.com.cn"
    assert site_of("127.0.0.2") == "127.0.0.2"
    assert site_of("localhost") == "localhost"
    assert party("cdn.example.com", "example.com") is Party.FIRST
    assert party("127.0.0.2", "127.0.0.1") is Party.THIRD


def test_sent_data_names_where_and_under_which_key_but_never_the_value() -> None:
    sent = find_sent(
        url="http://t.example/c?p=17000001234&imei=861234567890123&lat=39.904210",
        headers={"cookie": "uid=17000001234", "content-type": "application/json"},
        body='{"user": {"name": "测试用户"}}',
    )
    found = {(s.category, s.where, s.key) for s in sent}
    assert found == {
        ("contact.phone", Where.URL, "p"),
        ("device.identifiers", Where.URL, "imei"),
        ("location.precise", Where.URL, "lat"),
        ("identity.name", Where.BODY, "user.name"),
        ("contact.phone", Where.COOKIE, "uid"),
    }
    assert DEFAULT_PERSONA.phone not in repr(sent)


def test_urls_keep_parameter_names_only() -> None:
    assert redact_url("http://x.example/a?phone=170&ref=2#f") == "http://x.example/a?phone&ref"
    assert redact_text("failed at http://x.example/?m=170 (net)") == "failed at http://x.example/?m (net)"


def test_persona_fills_by_category_and_type() -> None:
    assert DEFAULT_PERSONA.value_for("contact.phone", "text") == DEFAULT_PERSONA.phone
    assert DEFAULT_PERSONA.value_for(None, "email") == DEFAULT_PERSONA.email
    assert DEFAULT_PERSONA.value_for(None, "text") is None
    assert len(DEFAULT_PERSONA.phone) == 11 and DEFAULT_PERSONA.phone.startswith("1")


def test_a_flow_file_reads_its_steps_and_its_code(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(
        "steps:\n  - click: {text: 同意}\n  - fill: {label: 手机号, value: '17000001234'}\n"
        "  - wait: {text: 已发送}\n  - code: '123456'\n",
        "utf-8",
    )
    flow = load_flow(path)
    assert len(flow.steps) == 4 and flow.code() == "123456"


def test_a_wrong_flow_step_is_reported_with_its_line_in_both_languages() -> None:
    with pytest.raises(ManifestErrors) as caught:
        parse_flow("steps:\n  - click: {text: 同意}\n  - tap: {text: x}\n", "f.yaml")
    (error,) = caught.value.errors
    assert error.location is not None and error.location.line == 3
    assert "f.yaml:3" in error.text.en and "f.yaml:3" in error.text.zh and "每一步" in error.text.zh


def test_a_missing_flow_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_flow(tmp_path / "none.yaml")
    assert "cannot read" in caught.value.text.en and "无法读取" in caught.value.text.zh
