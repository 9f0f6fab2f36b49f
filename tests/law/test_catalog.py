"""The law catalog is what every finding cites: its shape is checked against the instruments themselves."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from consentgate.law.catalog import Catalog, load_catalog, zh_numeral
from consentgate.law.models import AppType, DataCategory, Instrument, LawEntry, NecessaryItem, Taxonomy
from consentgate.text import Text

# Items per category of the App identification method (国信办秘字〔2019〕191号): 4+4+9+6+3+5 = 31.
AVIM_ITEMS_PER_CATEGORY = {1: 4, 2: 4, 3: 9, 4: 6, 5: 3, 6: 5}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _taxonomy() -> dict[str, object]:
    text = resources.files("consentgate.law").joinpath("data", "consentgate-taxonomy.yaml").read_text("utf-8")
    data: dict[str, object] = yaml.safe_load(text)
    return data


def test_there_are_39_app_types_numbered_1_to_39(catalog: Catalog) -> None:
    assert sorted(t.number for t in catalog.app_types.values()) == list(range(1, 40))


def test_every_app_type_has_a_unique_kebab_case_slug(catalog: Catalog) -> None:
    slugs = [t.slug for t in catalog.app_types.values()]
    assert len(set(slugs)) == 39
    for slug in slugs:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", slug), slug


def test_thirteen_app_types_need_no_personal_information(catalog: Catalog) -> None:
    no_pi = [t for t in catalog.app_types.values() if t.no_pi_required]
    assert len(no_pi) == 13
    for app_type in no_pi:
        assert app_type.necessary == ()
        assert "无须个人信息" in (catalog.entry(app_type.citation).text or Text(zh="", en="")).zh
    for app_type in catalog.app_types.values():
        if not app_type.no_pi_required:
            assert app_type.necessary, app_type.slug


def test_learning_education_needs_only_the_phone_number(catalog: Catalog) -> None:
    learning = catalog.app_types["learning-education"]
    assert learning.number == 19
    assert learning.necessary_categories == frozenset({"contact.phone"})
    assert "移动电话号码" in learning.necessary[0].text.zh


def test_every_app_type_is_citable(catalog: Catalog) -> None:
    for app_type in catalog.app_types.values():
        entry = catalog.entry(app_type.citation)
        assert entry.instrument is Instrument.NPI
        assert app_type.name.zh in entry.heading.zh


def test_every_identification_method_item_exists(catalog: Catalog) -> None:
    expected = [f"AVIM-{c}.{i}" for c, count in AVIM_ITEMS_PER_CATEGORY.items() for i in range(1, count + 1)]
    assert len(expected) == 31
    for item_id in expected:
        entry = catalog.entry(item_id)
        assert entry.instrument is Instrument.AVIM
        assert entry.text is not None and entry.text.zh, item_id
        assert entry.parent == item_id.split(".")[0]
    items = [k for k in catalog.entries if re.fullmatch(r"AVIM-\d+\.\d+", k)]
    assert sorted(items) == sorted(expected)


def test_pipl_13_2_is_contract_necessity(catalog: Catalog) -> None:
    entry = catalog.entry("PIPL-13.2")
    assert entry.parent == "PIPL-13"
    assert entry.text is not None
    assert "为订立、履行个人作为一方当事人的合同所必需" in entry.text.zh
    assert "contract to which the individual is a party" in entry.text.en


def test_gbt35273_7_5_exists_but_is_not_verified(catalog: Catalog) -> None:
    entry = catalog.entry("GBT35273-7.5")
    assert entry.instrument is Instrument.GBT35273
    assert not entry.verified
    assert entry.text is None
    assert entry.verification.startswith("NOT VERIFIED")


def test_arp_17_offers_the_option_not_targeting_personal_characteristics(catalog: Catalog) -> None:
    entry = catalog.entry("ARP-17")
    assert entry.text is not None
    assert "不针对其个人特征的选项" in entry.text.zh


def test_taxonomy_app_types_use_only_defined_categories() -> None:
    taxonomy = _taxonomy()
    categories = taxonomy["categories"]
    assert isinstance(categories, dict)
    app_types = taxonomy["app_types"]
    assert isinstance(app_types, list)
    used = {c for app_type in app_types for item in app_type["necessary"] for c in item["categories"]}
    assert used, "the taxonomy maps no categories at all"
    assert used - set(categories) == set()


def test_catalog_categories_match_the_taxonomy(catalog: Catalog) -> None:
    for app_type in catalog.app_types.values():
        assert app_type.necessary_categories <= set(catalog.categories), app_type.slug


def test_verified_statute_entries_have_text_in_both_languages(catalog: Catalog) -> None:
    for entry in catalog.entries.values():
        if entry.verified and entry.instrument in (Instrument.PIPL, Instrument.CIVIL, Instrument.ARP):
            assert entry.text is not None and entry.text.zh and entry.text.en, entry.id


_GOOD_ENTRY = {
    "id": "PIPL-13",
    "instrument": "PIPL",
    "instrument_title": {"zh": "个人信息保护法", "en": "PIPL"},
    "heading": {"zh": "第13条", "en": "Art. 13"},
    "text": {"zh": "……", "en": "..."},
    "verified": True,
    "verification": "verbatim",
    "in_force": {
        "window": {"start": "2021-11-01"},
        "source": "pipl-articles.yaml: meta.effective",
        "verified": True,
    },
}


def test_a_well_formed_entry_validates() -> None:
    assert LawEntry.model_validate(_GOOD_ENTRY).id == "PIPL-13"


@pytest.mark.parametrize(
    "broken",
    [
        {**_GOOD_ENTRY, "instrument": "GDPR"},  # not an instrument of the catalog
        {k: v for k, v in _GOOD_ENTRY.items() if k != "verified"},  # missing field
        {**_GOOD_ENTRY, "heading": {"zh": "第13条"}},  # text in one language only
        {**_GOOD_ENTRY, "verifed": True},  # misspelt field
        {**_GOOD_ENTRY, "verified": "maybe"},
        {k: v for k, v in _GOOD_ENTRY.items() if k != "in_force"},  # undated
    ],
    ids=["unknown-instrument", "missing-field", "one-language", "misspelt-field", "not-a-bool", "undated"],
)
def test_malformed_entries_are_rejected(broken: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LawEntry.model_validate(broken)


def test_malformed_app_type_and_category_are_rejected() -> None:
    item = NecessaryItem(number=1, text=Text(zh="电话", en="phone"), categories=("contact.phone",))
    with pytest.raises(ValidationError):
        AppType.model_validate(
            {
                "number": "one",
                "slug": "x",
                "name": {"zh": "甲", "en": "a"},
                "basic_function": {"zh": "乙", "en": "b"},
                "no_pi_required": False,
                "necessary": [item],
            }
        )
    with pytest.raises(ValidationError):
        DataCategory.model_validate(
            {"id": "contact.phone", "label": {"zh": "电话", "en": "phone"}, "secret": True}
        )


def test_duplicate_catalog_ids_are_refused(catalog: Catalog) -> None:
    entry = catalog.entry("PIPL-13")
    with pytest.raises(ValueError, match="duplicate"):
        Catalog([entry, entry], [], [])


def test_taxonomy_rejects_a_label_cut_by_an_unquoted_comma() -> None:
    """`{zh: 名称, en: Name, nature}` parses as an extra key `nature`: the loader must refuse it."""
    raw = yaml.safe_load("meta: {}\ncategories:\n  x.y: {zh: 名称, en: Name, nature}\napp_types: []\n")
    with pytest.raises(ValidationError):
        Taxonomy.model_validate(raw)


def test_taxonomy_rejects_a_mapping_to_an_unknown_category() -> None:
    raw = {
        "meta": {},
        "categories": {"contact.phone": {"zh": "手机号", "en": "Phone"}},
        "app_types": [{"id": 1, "slug": "x", "necessary": [{"item": None, "categories": ["contact.fax"]}]}],
    }
    with pytest.raises(ValidationError, match=r"contact\.fax"):
        Taxonomy.model_validate(raw)


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (4, "四"),
        (10, "十"),
        (13, "十三"),
        (24, "二十四"),
        (105, "一百零五"),
        (1005, "一千零五"),
        (1035, "一千零三十五"),
    ],
)
def test_article_numbers_are_written_as_chinese_statutes_write_them(number: int, written: str) -> None:
    assert zh_numeral(number) == written


def test_headings_cite_articles_and_items_the_chinese_way() -> None:
    catalog = load_catalog()
    assert catalog.entry("PIPL-13.2").heading.zh == "《个人信息保护法》第十三条第（二）项"
    assert catalog.entry("CIVIL-1035").heading.zh == "《民法典》第一千零三十五条"
