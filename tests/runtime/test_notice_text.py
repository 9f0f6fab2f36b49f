"""The notice people read is written from the manifest's labels: complete (PIPL 17, 23) and free of codes."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from consentgate.manifest.loader import load_manifest, parse_manifest
from consentgate.manifest.models import Manifest, Notice
from consentgate.runtime.notice_text import render, summary
from consentgate.text import LANGS, Text

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"
# The first layer: a handful of lines a person reads on a phone before the agree button.
MAX_SUMMARY_LINES = 6
MAX_SUMMARY_LINE_ZH = 120  # characters
MAX_SUMMARY_LINE_EN = 320  # English runs two to four times as long (the fixed app's longest: 291)
# Enum values that are also plain English words the English text uses in their ordinary sense.
ORDINARY_ENGLISH = {"consent", "affiliate", "agree", "refuse", "marketing", "sharing"}


@pytest.fixture(scope="module")
def fixed() -> Manifest:
    return load_manifest(FIXED).manifest


def _both(manifest: Manifest) -> Text:
    notice = manifest.notices[0]
    full = render(manifest, notice)
    lines = summary(manifest, notice).lines
    return Text(
        zh=full.zh + "\n" + "\n".join(t.zh for t in lines), en=full.en + "\n" + "\n".join(t.en for t in lines)
    )


def _ids(tree: dict[str, Any]) -> set[str]:
    sections = ("notices", "data", "purposes", "recipients", "onboarding", "cross_border")
    return {str(item["id"]) for section in sections for item in tree.get(section) or []}


def _renamed(value: Any, names: dict[str, str], key: str = "") -> Any:
    """Every scalar equal to an id (the id itself and each reference to it) replaced by its nonce."""
    if isinstance(value, dict):
        return {k: _renamed(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names, key) for v in value]
    if isinstance(value, str) and key not in ("name", "zh", "en", "contact", "channel") and value in names:
        return names[value]
    return value


def test_no_id_of_the_manifest_reaches_either_language() -> None:
    """Ids that are ordinary words (phone, orders, login) are renamed to nonces that no wording can hold."""
    tree = yaml.safe_load(FIXED.read_text("utf-8"))
    names = {item_id: f"zq{n:03d}-idnonce" for n, item_id in enumerate(sorted(_ids(tree)))}
    manifest = parse_manifest(yaml.safe_dump(_renamed(tree, names), allow_unicode=True)).manifest
    assert {p.id for p in manifest.purposes} <= set(names.values())  # the renaming reached the model
    text = _both(manifest)
    for lang in LANGS:
        leaked = sorted(n for n in names.values() if n in text.in_(lang))
        assert leaked == [], f"{lang} text shows ids {[k for k, v in names.items() if v in leaked]}"


def _enum_values(node: object) -> set[str]:
    if isinstance(node, StrEnum):
        return {node.value}
    if isinstance(node, BaseModel):
        return {v for name in type(node).model_fields for v in _enum_values(getattr(node, name))}
    if isinstance(node, list | tuple):
        return {v for item in node for v in _enum_values(item)}
    return set()


def _occurs(token: str, text: str) -> bool:
    return (
        re.search(rf"(?<![A-Za-z0-9_-]){re.escape(token)}(?![A-Za-z0-9_-])", text, re.IGNORECASE) is not None
    )


def test_no_enum_value_or_basis_code_reaches_either_language(fixed: Manifest) -> None:
    values = _enum_values(fixed)
    assert {"contract-necessity", "basic-function", "separate-consent", "sms", "in-app-settings"} <= values
    text = _both(fixed)
    assert [v for v in sorted(values) if _occurs(v, text.zh)] == []
    assert [v for v in sorted(values - ORDINARY_ENGLISH) if _occurs(v, text.en)] == []


def test_the_right_channel_token_in_app_is_said_in_words(fixed: Manifest) -> None:
    assert fixed.rights.copy_ is not None and fixed.rights.copy_.channel == "in-app"
    text = _both(fixed)
    assert "在App内" in text.zh and "in the app" in text.en


def test_full_text_states_every_statutory_item(fixed: Manifest) -> None:
    notice = fixed.notices[0]
    full = render(fixed, notice)
    assert fixed.app.operator is not None and fixed.app.operator.contact
    for lang in LANGS:
        text = full.in_(lang)
        assert fixed.app.operator.name in text and fixed.app.operator.contact in text
        for purpose in fixed.purposes:
            assert purpose.label is not None
            label = purpose.label.zh if lang == "zh" else purpose.label.en
            assert label and label in text, label
        for recipient in fixed.recipients:
            assert recipient.contact and recipient.contact in text
            assert recipient.label is not None
            name = recipient.label.zh if lang == "zh" else recipient.label.en
            assert name and name in text, name
        assert notice.retention_statement is not None
        kept = notice.retention_statement.zh if lang == "zh" else notice.retention_statement.en
        assert kept and kept in text, kept
        assert fixed.complaints.channel and fixed.complaints.channel in text
    assert "为履行您与我们的合同所必需" in full.zh and "经您同意" in full.zh and "经您单独同意" in full.zh
    assert "15个工作日内答复" in full.zh


def test_each_item_with_its_own_retention_is_stated(fixed: Manifest) -> None:
    tags = fixed.data_item("profile-tags")
    assert tags.retention is not None and tags.label is not None
    full = render(fixed, fixed.notices[0])
    assert f"{tags.label.zh}的保存期限：{tags.retention.zh}" in full.zh
    assert f"{tags.label.en}: {tags.retention.en}" in full.en


def test_summary_is_a_few_short_lines_naming_each_recipient(fixed: Manifest) -> None:
    lines = summary(fixed, fixed.notices[0]).lines
    assert 0 < len(lines) <= MAX_SUMMARY_LINES
    assert all(len(line.zh) <= MAX_SUMMARY_LINE_ZH for line in lines), [len(line.zh) for line in lines]
    assert all(len(line.en) <= MAX_SUMMARY_LINE_EN for line in lines), [len(line.en) for line in lines]
    joined = Text(zh="".join(t.zh for t in lines), en=" ".join(t.en for t in lines))
    for recipient in fixed.recipients:
        assert recipient.label is not None
        assert f"向{recipient.label.zh}提供" in joined.zh
        assert f"to {recipient.label.en}:" in joined.en
    assert "单独" in joined.zh and "separately" in joined.en
    assert fixed.complaints.channel and fixed.complaints.channel in joined.zh
    assert "拒绝不影响基本功能" in joined.zh


MINIMAL = """
app: {name: 书店, type: online-shopping, operator: {name: 某书店公司, contact: hi@example.com}}
notices: [{id: policy, version: "1", shown: before-collection, languages: [zh, en]}]
data:
  - {id: phone, category: contact.phone, retention: 注销后删除}
purposes:
  - {id: orders, kind: basic-function, basis: contract-necessity, data: [phone], recipients: [courier]}
  - {id: offers, kind: marketing, basis: consent, channel: sms, data: [phone]}
recipients:
  - {id: courier, name: 某快递公司, kind: third-party, contact: kd@example.com}
"""


def test_without_labels_the_notice_falls_back_on_words_never_on_ids() -> None:
    manifest = parse_manifest(MINIMAL).manifest
    text = _both(manifest)
    assert "营销推广" in text.zh and "Marketing" in text.en  # the purpose's kind, in words
    assert "某快递公司" in text.zh and "某快递公司" in text.en  # the recipient's name in both
    assert "注销后删除" in text.en  # a plain-string retention is the zh text, shown in both
    for token in ("orders", "offers", "courier", "policy"):
        assert not _occurs(token, text.zh) and not _occurs(token, text.en), token


def test_a_recipient_label_is_preferred_to_its_name() -> None:
    labelled = MINIMAL.replace("name: 某快递公司,", "name: 某快递公司, label: {en: Our courier},")
    text = _both(parse_manifest(labelled).manifest)
    assert "Our courier" in text.en and "某快递公司" not in text.en
    assert "某快递公司" in text.zh


def test_summary_claims_separate_consent_only_for_recipients_that_ask_it() -> None:
    """The courier gets the address for the contract: the first layer must not say it was asked for."""
    manifest = parse_manifest(MINIMAL).manifest
    lines = summary(manifest, manifest.notices[0]).lines
    (line,) = [t for t in lines if "某快递公司" in t.zh]
    assert "为履行与您的合同" in line.zh and "单独" not in line.zh
    assert "separately" not in line.en


def test_sensitive_personal_information_is_highlighted_where_it_is_used() -> None:
    source = MINIMAL.replace(
        "  - {id: phone, category: contact.phone, retention: 注销后删除}\n",
        "  - {id: phone, category: contact.phone, retention: 注销后删除}\n"
        "  - {id: card, category: financial.bank-card}\n",
    ).replace("data: [phone], recipients: [courier]}", "data: [phone, card], recipients: [courier]}")
    manifest = parse_manifest(source).manifest
    full = render(manifest, manifest.notices[0])
    (line,) = [t for t in full.zh.splitlines() if "【敏感个人信息】" in t]
    assert (
        line.startswith("基本功能：处理移动电话号码、银行卡号码。")
        and "其中银行卡号码属于敏感个人信息" in line
    )
    assert "[Sensitive personal information] Bank card number" in full.en
    assert "【敏感个人信息】" not in render(*_fixed_and_notice()).zh  # the fixed app processes none


def _fixed_and_notice() -> tuple[Manifest, Notice]:
    manifest = load_manifest(FIXED).manifest
    return manifest, manifest.notices[0]
