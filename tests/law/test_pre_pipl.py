"""The laws courts applied before the PIPL are citable, each article with its own verification."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from consentgate.law._pre_pipl import LAWS
from consentgate.law.catalog import Catalog, load_catalog
from consentgate.law.models import Instrument
from consentgate.rules.cited import date_note, status_note


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _articles() -> list[tuple[str, str]]:
    """(catalog id, the file's verification) for every article of pre-pipl-laws.yaml."""
    text = resources.files("consentgate.law").joinpath("data", "pre-pipl-laws.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return [
        (f"{LAWS[law['law_id']][0].value}-{str(article['article']).split('(')[0]}", article["verification"])
        for law in raw["laws"]
        for article in law["articles"]
    ]


@pytest.mark.parametrize(("entry_id", "verification"), _articles(), ids=lambda v: str(v)[:20])
def test_every_article_resolves_with_its_own_verification(
    catalog: Catalog, entry_id: str, verification: str
) -> None:
    entry = catalog.entry(entry_id)
    assert entry.verification == verification
    assert entry.verified is verification.startswith("verbatim")
    assert entry.text is not None and entry.text.zh and entry.text.en


def test_the_articles_the_rules_rely_on_say_what_they_rely_on(catalog: Catalog) -> None:
    assert "并经被收集者同意" in (catalog.entry("CSL-41").text or pytest.fail()).zh
    assert "未经被收集者同意，不得向他人提供个人信息" in (catalog.entry("CSL-42").text or pytest.fail()).zh
    assert "有权要求网络运营者删除" in (catalog.entry("CSL-43").text or pytest.fail()).zh
    assert "不得向其发送商业性信息" in (catalog.entry("CPL-29").text or pytest.fail()).zh
    assert "不针对其个人特征的选项" in (catalog.entry("ECL-18").text or pytest.fail()).zh
    assert "依法取得并确保信息安全" in (catalog.entry("GPCL-111").text or pytest.fail()).zh


def test_headings_cite_the_laws_the_chinese_way(catalog: Catalog) -> None:
    assert catalog.entry("CSL-41").heading.zh == "《网络安全法》第四十一条"
    assert catalog.entry("GPCL-111").heading.zh == "《民法总则》第一百一十一条"
    assert catalog.entry("ECL-18").heading.en.startswith("ECL Art. 18 — ")
    assert catalog.entry("CPL-29").instrument is Instrument.CPL


def test_the_definition_item_is_citable_on_its_own(catalog: Catalog) -> None:
    item = catalog.entry("CSL-76.5")
    assert item.parent == "CSL-76"
    assert (item.text or pytest.fail()).zh.startswith("（五）个人信息")


def test_a_partly_verified_article_is_never_shown_as_verified(catalog: Catalog) -> None:
    tort = catalog.entry("TLL-36")
    assert not tort.verified
    assert status_note(["TLL-36"]).en == " (status of the sources cited — TLL-36: partly verbatim)"


def test_sources_are_spelt_out(catalog: Catalog) -> None:
    assert any(s.startswith("lawrefbook: GitHub LawRefBook/Laws") for s in catalog.entry("CSL-41").sources)


def test_a_citation_dated_by_an_unconfirmed_day_says_so() -> None:
    assert date_note(["CSL-41", "GPCL-111"]).zh == "（施行日期未经核实：GPCL-111）"
    assert date_note(["CSL-41", "GPCL-111"]).en == " (date of entry into force not verified: GPCL-111)"
    assert date_note(["CSL-41", "PIPL-13"]).en == ""
