"""The MIIT notices are citable, and every citation of them says how far their wording can be trusted."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from consentgate.law._miit import DOCUMENT_IDS, status_words
from consentgate.law.catalog import Catalog, load_catalog
from consentgate.law.models import Instrument


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _raw() -> dict[str, object]:
    text = resources.files("consentgate.law").joinpath("data", "miit-notices.yaml").read_text("utf-8")
    data: dict[str, object] = yaml.safe_load(text)
    return data


def _expected_ids() -> list[tuple[str, str]]:
    """(catalog id, the file's verification) for every clause, area and item the file records."""
    expected = []
    documents = _raw()["documents"]
    assert isinstance(documents, list)
    for document in documents:
        prefix = DOCUMENT_IDS[document["id"]]
        for clause in document.get("clauses", []):
            suffix = str(clause["id"]).removeprefix("26.") if prefix == "MIIT-2023-26" else clause["id"]
            expected.append((f"{prefix}.{suffix}", str(clause["verification"])))
        for area in document.get("areas", []):
            expected.append((f"{prefix}.area.{area['area']}", str(document["areas_verification"])))
        items = document.get("items")
        for item in items if isinstance(items, list) else []:
            expected.append((f"{prefix}.{item['id']}", str(item["verification"])))
    return expected


@pytest.mark.parametrize(("entry_id", "verification"), _expected_ids(), ids=lambda v: str(v)[:40])
def test_every_recorded_clause_resolves_with_its_own_verification(
    catalog: Catalog, entry_id: str, verification: str
) -> None:
    entry = catalog.entry(entry_id)
    assert entry.instrument in (Instrument.MIIT, Instrument.TC260)
    assert entry.verification == verification
    assert entry.verified is verification.startswith("verbatim")
    assert entry.parent is not None and catalog.resolves(entry.parent)


def test_every_document_resolves_and_is_never_taken_as_verified(catalog: Catalog) -> None:
    for entry_id in DOCUMENT_IDS.values():
        entry = catalog.entry(entry_id)
        assert not entry.verified
        assert entry.verification.startswith("NOT VERIFIED")


@pytest.mark.parametrize(
    ("entry_id", "zh", "en"),
    [
        ("MIIT-2023-26.pi.1", "征求意见稿原文，非最终文本", "draft wording, not the final text"),
        ("MIIT-2023-26.pi.2", "征求意见稿原文，非最终文本", "draft wording, not the final text"),
        ("MIIT-2023-26.sdk", "二手转述，非文件原文", "secondary: not the document's wording"),
        (
            "MIIT-2021-draft.refusal-must-not-block",
            "二手转述，非文件原文",
            "secondary: not the document's wording",
        ),
    ],
)
def test_headings_of_unverified_clauses_say_their_status(
    catalog: Catalog, entry_id: str, zh: str, en: str
) -> None:
    """Reports and docs/rules.md print headings: the status must travel with them."""
    entry = catalog.entry(entry_id)
    assert not entry.verified
    assert entry.heading.zh.endswith(f"（{zh}）")
    assert entry.heading.en.endswith(f"({en})")


def test_verbatim_clauses_carry_no_status_words(catalog: Catalog) -> None:
    entry = catalog.entry("MIIT-2019-campaign.5")
    assert entry.verified
    assert "（" not in entry.heading.zh.removeprefix(entry.instrument_title.zh)
    assert status_words(entry.verification) is None


def test_the_refusal_clauses_hold_the_text_the_rules_rely_on(catalog: Catalog) -> None:
    pi1 = catalog.entry("MIIT-2023-26.pi.1").text
    refusal = catalog.entry("MIIT-2021-draft.refusal-must-not-block").text
    assert pi1 is not None and "不得影响用户使用该服务的基本功能" in pi1.zh
    assert refusal is not None and "不得强制退出或者关闭App" in refusal.zh


def test_a_clause_with_no_recorded_text_has_none(catalog: Catalog) -> None:
    entry = catalog.entry("MIIT-2021-draft.sdk")
    assert entry.text is None
    assert entry.heading.zh.endswith("（未找到原文）")


def test_secondary_chinese_stands_in_where_the_notice_was_not_read(catalog: Catalog) -> None:
    entry = catalog.entry("MIIT-2023-26.sdk")
    assert entry.text is not None and entry.text.zh.startswith("APP开发运营者需加强SDK使用管理")
