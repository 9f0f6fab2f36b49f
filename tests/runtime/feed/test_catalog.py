"""The content catalog: the demo lessons load, and every bad file fails with a typed bilingual error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consentgate.runtime.feed.catalog import Catalog, load_catalog, parse_catalog
from consentgate.runtime.feed.errors import CatalogInvalid, CatalogNotFound

GOOD = """\
dimensions:
  - id: level
    label: {zh: 英语水平, en: English level}
    data: [english-level]
    values:
      beginner: {zh: 入门, en: Beginner, aliases: [A1]}
      advanced: {zh: 高级, en: Advanced}
items:
  - id: one
    title: {zh: 第一课, en: Lesson one}
    tags: {level: [beginner]}
    published_at: 2025-01-01
    popularity: 10
"""


def _invalid(text: str) -> CatalogInvalid:
    with pytest.raises(CatalogInvalid) as raised:
        parse_catalog(text, source="lessons.yaml")
    error = raised.value
    assert error.code == "feed.catalog_invalid"
    assert re.search(r"[\u4e00-\u9fff]", error.text.zh), "the Chinese message must be Chinese"
    return error


def test_the_demo_lessons_are_a_valid_catalog_of_tagged_lessons(lessons: Catalog) -> None:
    assert 30 <= len(lessons.items) <= 40
    assert set(lessons.dimensions) == {"level", "goal", "occupation"}
    for item in lessons.items:
        assert re.search(r"[\u4e00-\u9fff]", item.title.zh) and item.title.en.isascii(), item.id
        assert item.tags.get("level") and item.tags.get("goal"), item.id
    occupations = {o for item in lessons.items for o in item.tags.get("occupation", [])}
    assert occupations == set(lessons.dimensions["occupation"].values)  # every occupation has lessons
    assert any(item.editors_pick for item in lessons.items)
    assert lessons.resolve("occupation", " 老师 ") == "teacher"
    assert lessons.resolve("level", "b2") == "upper-intermediate"
    assert lessons.resolve("level", "teacher") is None  # spellings belong to one dimension


def test_a_good_catalog_parses() -> None:
    catalog = parse_catalog(GOOD)
    assert [item.id for item in catalog.items] == ["one"]
    assert catalog.max_popularity == 10
    assert catalog.matched_data() == frozenset({"english-level"})


def test_a_missing_file_is_a_typed_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(CatalogNotFound) as raised:
        load_catalog(missing)
    assert raised.value.code == "feed.catalog_not_found"
    assert str(missing) in raised.value.text.zh and str(missing) in raised.value.text.en
    assert "找不到" in raised.value.text.zh


def test_a_directory_is_not_a_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogNotFound) as raised:
        load_catalog(tmp_path)
    assert "无法读取" in raised.value.text.zh and "cannot read" in raised.value.text.en


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode("gbk"))
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(path)
    assert "UTF-8" in raised.value.text.en and "UTF-8" in raised.value.text.zh


def test_bad_yaml_names_the_line() -> None:
    error = _invalid("items:\n  - id: one\n    title: {zh: 第一课, en: [unclosed\n")
    assert error.location is not None and error.location.line >= 3
    assert "not valid YAML" in error.text.en and "不是有效的 YAML" in error.text.zh


def test_a_list_at_the_top_is_not_a_catalog() -> None:
    error = _invalid("- one\n- two\n")
    assert "mapping" in error.text.en


def test_an_unknown_field_is_named_with_its_line_and_a_suggestion() -> None:
    error = _invalid(GOOD.replace("    popularity: 10", "    popularty: 10"))
    assert "lessons.yaml:13:5" in error.text.en
    assert "popularty" in error.text.zh and "did you mean 'popularity'" in error.text.en
    assert error.location is not None and error.location.pointer == "/items/one/popularty"


def test_a_wrong_value_is_named_by_item_id() -> None:
    error = _invalid(GOOD.replace("popularity: 10", "popularity: -3"))
    assert "/items/one/popularity" in error.text.en and "应大于或等于 0" in error.text.zh


def test_a_missing_required_field_is_reported() -> None:
    error = _invalid(GOOD.replace("    published_at: 2025-01-01\n", ""))
    assert "published_at" in error.text.en and "缺少必填字段" in error.text.zh


def test_every_problem_of_a_file_is_listed_at_once() -> None:
    text = GOOD.replace("tags: {level: [beginner]}", "tags: {level: [expert], topic: [x]}")
    text += "  - id: one\n    title: {zh: 重复, en: Duplicate}\n    published_at: 2025-01-02\n"
    error = _invalid(text)
    assert len(error.problems) == 3
    en = error.text.en
    assert "id 'one' is used twice in items" in en
    assert "dimension 'topic'" in en and "tag 'expert'" in en and "values: beginner, advanced" in en
    assert "lessons.yaml:11:" in en  # the tags line


def test_two_values_answering_to_one_spelling_are_ambiguous() -> None:
    error = _invalid(GOOD.replace("{zh: 高级, en: Advanced}", "{zh: 高级, en: Advanced, aliases: [a1]}"))
    assert "'a1'" in error.text.en and "beginner" in error.text.en and "advanced" in error.text.en
