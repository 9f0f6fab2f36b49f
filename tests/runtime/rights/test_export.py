"""A person's data copy (PIPL 45) renders the same holdings as JSON, CSV in a zip and a zh/en HTML page."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from consentgate.errors import ConsentgateError
from consentgate.runtime.rights.export import UnsupportedExportLanguage, export_html, export_json, export_zip
from consentgate.runtime.rights.holdings import Column, Holdings, Section
from consentgate.text import Text

BEIJING = timezone(timedelta(hours=8))
GENERATED = datetime(2025, 3, 15, 16, 30, 5, tzinfo=BEIJING)  # 08:30:05 UTC
SCRIPT = "<script>alert(1)</script>"


def column(key: str, zh: str, en: str) -> Column:
    return Column(key=key, title=Text(zh=zh, en=en))


ATTRIBUTES = Section(
    key="attributes",
    title=Text(zh="个人资料", en="Profile details"),
    explanation=Text(zh="用于为您推荐附近的门店", en="Used to suggest shops near you"),
    columns=(
        column("name", "属性名称", "Attribute"),
        column("value", "取值", "Value"),
        column("sensitive", "是否敏感", "Sensitive"),
        column("collected_at", "收集时间", "Collected at"),
    ),
    rows=(
        {"name": "city", "value": "上海", "sensitive": False, "collected_at": "2025-01-02T03:04:05+00:00"},
        {"name": "interests", "value": ["hiking", "茶"], "sensitive": False, "collected_at": None},
        {"name": "address", "value": {"city": "Hangzhou", "zip": 310000}, "sensitive": True},
        {"name": "note", "value": SCRIPT, "sensitive": False, "collected_at": None},
        {"name": "score", "value": -5, "sensitive": False, "collected_at": None},
        {"name": "nested", "value": [["a", "b"], {"k": 1.5}], "sensitive": False, "collected_at": None},
    ),
)
CONSENTS = Section(
    key="consents",
    title=Text(zh="同意记录", en="Consent records"),
    explanation=Text(zh="法律要求我们证明您曾同意", en="The law requires us to prove you agreed"),
    columns=(column("purpose", "处理目的", "Purpose"), column("granted", "已同意", "Granted")),
    rows=({"purpose": "推荐", "granted": True},),
)
SHARING = Section(
    key="sharing",
    title=Text(zh="向第三方提供", en="Shared with third parties"),
    explanation=Text(zh="记录向谁提供了您的信息", en="Records whom your information was given to"),
    columns=(column("recipient", "接收方", "Recipient"),),
    rows=(),
)


def holdings(
    *sections: Section, request_id: str | None = "req-0001", controller: str = "上海示例科技有限公司"
) -> Holdings:
    return Holdings(
        subject="alice",
        tenant="tenant-a",
        controller=controller,
        generated_at=GENERATED,
        request_id=request_id,
        sections=sections or (ATTRIBUTES, CONSENTS, SHARING),
    )


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- JSON


def test_json_parses_back_to_the_same_sections_and_rows() -> None:
    document = orjson.loads(export_json(holdings()))
    assert document["format"] == "consentgate-subject-export"
    assert document["format_version"] == 1
    assert (document["subject"], document["tenant"], document["request_id"]) == (
        "alice",
        "tenant-a",
        "req-0001",
    )
    assert document["controller"] == "上海示例科技有限公司"
    assert [s["key"] for s in document["sections"]] == ["attributes", "consents", "sharing"]
    for parsed, section in zip(document["sections"], holdings().sections, strict=True):
        assert parsed["title"] == {"zh": section.title.zh, "en": section.title.en}
        assert parsed["explanation"] == {"zh": section.explanation.zh, "en": section.explanation.en}
        assert parsed["columns"] == [
            {"key": c.key, "title": {"zh": c.title.zh, "en": c.title.en}} for c in section.columns
        ]
        assert parsed["rows"] == [dict(row) for row in section.rows]


def test_json_gives_generated_at_in_utc() -> None:
    generated_at = orjson.loads(export_json(holdings()))["generated_at"]
    assert generated_at == "2025-03-15T08:30:05+00:00"
    assert datetime.fromisoformat(generated_at) == GENERATED


def test_json_is_utf8_indented_with_sorted_keys() -> None:
    data = export_json(holdings())
    text = data.decode("utf-8")
    assert "上海" in text  # written as UTF-8, not as \u escapes
    assert '\n  "controller"' in text
    top_keys = [line.split('"')[1] for line in text.splitlines() if line.startswith('  "')]
    assert top_keys == sorted(top_keys)


def test_json_keeps_a_copy_without_a_request() -> None:
    assert orjson.loads(export_json(holdings(request_id=None)))["request_id"] is None


# --- zip and CSV


def test_zip_holds_exactly_the_listed_files_in_a_fixed_order() -> None:
    assert list(unzip(export_zip(holdings()))) == [
        "README.txt",
        "data.json",
        "attributes.csv",
        "consents.csv",
        "sharing.csv",
        "summary.zh.html",
        "summary.en.html",
    ]


def test_zip_carries_the_json_and_both_summaries_as_rendered_alone() -> None:
    files = unzip(export_zip(holdings()))
    assert files["data.json"] == export_json(holdings())
    assert files["summary.zh.html"].decode("utf-8") == export_html(holdings(), "zh")
    assert files["summary.en.html"].decode("utf-8") == export_html(holdings(), "en")


def test_zip_entries_are_deflated() -> None:
    with zipfile.ZipFile(io.BytesIO(export_zip(holdings()))) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_each_csv_parses_back_to_its_rows() -> None:
    files = unzip(export_zip(holdings()))
    for section in holdings().sections:
        data = files[f"{section.key}.csv"]
        assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads the Chinese as UTF-8"
        header, *rows = csv_rows(data)
        assert header == [c.key for c in section.columns]
        assert len(rows) == len(section.rows)
        for parsed, row in zip(rows, section.rows, strict=True):
            for key, cell in zip(header, parsed, strict=True):
                assert cell == expected_csv_cell(row.get(key)), (section.key, key)


def expected_csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def test_csv_writes_lists_and_dicts_as_compact_json_and_booleans_as_json() -> None:
    header, *rows = csv_rows(unzip(export_zip(holdings()))["attributes.csv"])
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["interests"]["value"] == '["hiking","茶"]'
    assert orjson.loads(by_name["address"]["value"]) == {"city": "Hangzhou", "zip": 310000}
    assert by_name["address"]["sensitive"] == "true"
    assert by_name["city"]["value"] == "上海"
    assert by_name["score"]["value"] == "-5", "a number is not text, so it is left as it is"
    assert by_name["address"]["collected_at"] == "", "a value the row lacks is an empty cell"


def test_csv_of_an_empty_section_has_only_its_header() -> None:
    assert csv_rows(unzip(export_zip(holdings()))["sharing.csv"]) == [["recipient"]]


@pytest.mark.parametrize(
    "dangerous", ["=1+2", "+1", "-2+3", "@SUM(A1:A9)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']
)
def test_csv_neutralises_spreadsheet_formulas_with_an_apostrophe(dangerous: str) -> None:
    section = Section(
        key="notes",
        title=Text(zh="备注", en="Notes"),
        explanation=Text(zh="客服记录", en="Support notes"),
        columns=(column("text", "内容", "Text"),),
        rows=({"text": dangerous}, {"text": "plain 文本 = fine"}),
    )
    _, first, second = csv_rows(unzip(export_zip(holdings(section)))["notes.csv"])
    assert first == ["'" + dangerous]
    assert second == ["plain 文本 = fine"]


def test_the_same_holdings_give_a_byte_identical_zip() -> None:
    assert export_zip(holdings()) == export_zip(holdings())


def test_zip_entries_carry_the_generation_time_and_fixed_permissions() -> None:
    with zipfile.ZipFile(io.BytesIO(export_zip(holdings()))) as archive:
        for info in archive.infolist():
            assert info.date_time == (2025, 3, 15, 8, 30, 4), info.filename  # zip keeps even seconds
            assert info.external_attr >> 16 == 0o644, info.filename
            assert info.create_system == 3, info.filename


def test_a_copy_generated_later_is_a_different_zip() -> None:
    later = replace(holdings(), generated_at=GENERATED + timedelta(days=1))
    assert export_zip(later) != export_zip(holdings())


def test_readme_names_every_file_in_both_languages() -> None:
    files = unzip(export_zip(holdings()))
    readme = files["README.txt"].decode("utf-8-sig")
    for name in files:
        assert readme.count(f"  {name}  ") == 2, name  # once in the Chinese part, once in the English
    assert "个人资料（CSV 表格）" in readme and "Profile details, as a table (CSV)" in readme
    assert readme.index("您的个人信息副本") < readme.index("A copy of your personal information")
    assert "req-0001" in readme and "2025-03-15 08:30:05 UTC" in readme


# --- HTML


@pytest.mark.parametrize(("lang", "other"), [("zh", "en"), ("en", "zh")])
def test_html_shows_titles_explanations_and_headings_in_its_language_only(lang: str, other: str) -> None:
    page = export_html(holdings(), lang)
    for section in holdings().sections:
        texts = [section.title, section.explanation, *(c.title for c in section.columns)]
        for text in texts:
            assert getattr(text, lang) in page
            assert getattr(text, other) not in page


def test_html_names_the_controller_the_request_and_the_time() -> None:
    page = export_html(holdings(), "en")
    assert "上海示例科技有限公司" in page
    assert "req-0001" in page
    assert "2025-03-15 08:30:05 UTC" in page
    assert '<html lang="en">' in page
    assert '<html lang="zh-CN">' in export_html(holdings(), "zh")


def test_html_says_so_when_no_request_is_given() -> None:
    assert "申请编号</th><td>无</td>" in export_html(holdings(request_id=None), "zh")


@pytest.mark.parametrize(
    ("lang", "none_held"), [("zh", "我们未持有此类信息"), ("en", "We hold none of this")]
)
def test_html_keeps_an_empty_section_and_says_none_is_held(lang: str, none_held: str) -> None:
    page = export_html(holdings(), lang)
    assert page.count(none_held) == 1
    sharing = page[page.index('<section id="section-sharing">') :].split("</section>")[0]
    assert f'<td class="none" colspan="1">{none_held}' in sharing, (
        "the headings stay, saying what is not held"
    )


def test_html_says_none_is_held_for_a_section_without_columns() -> None:
    page = export_html(holdings(replace(SHARING, columns=())), "en")
    assert '<p class="none">We hold none of this.</p>' in page


def test_html_escapes_markup_in_values_titles_and_controller() -> None:
    hostile = Section(
        key="hostile",
        title=Text(zh=SCRIPT, en=SCRIPT),
        explanation=Text(zh="<b>说明</b>", en="<b>why</b>"),
        columns=(column("v", "<i>值</i>", "<i>value</i>"),),
        rows=({"v": SCRIPT}, {"v": {"<k>": "<v>"}}),
    )
    page = export_html(holdings(hostile, controller=SCRIPT), "en")
    assert "<script" not in page
    assert "<b>" not in page and "<i>" not in page and "<k>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;k&gt;: &lt;v&gt;" in page


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "en",
            ["hiking, 茶", "city: Hangzhou\nzip: 310000", "<td>yes</td>", "<td>no</td>", "(a, b), (k: 1.5)"],
        ),
        (
            "zh",
            ["hiking、茶", "city: Hangzhou\nzip: 310000", "<td>是</td>", "<td>否</td>", "(a、b)、(k: 1.5)"],
        ),
    ],
)
def test_html_shows_lists_dicts_and_booleans_readably(lang: str, shown: list[str]) -> None:
    page = export_html(holdings(), lang)
    for text in shown:
        assert text in page
    assert '["hiking"' not in page, "no raw JSON for a person to decode"


def test_html_is_standalone_and_printable() -> None:
    page = export_html(holdings(), "zh")
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@media print" in page
    for tag in ("<script", "<link", "<img", "<iframe", "http://", "https://"):
        assert tag not in page


@pytest.mark.parametrize("lang", ["fr", "ZH", "", "zh-CN"])
def test_html_in_an_unsupported_language_is_a_typed_bilingual_error(lang: str) -> None:
    with pytest.raises(UnsupportedExportLanguage) as raised:
        export_html(holdings(), lang)
    error = raised.value
    assert isinstance(error, ConsentgateError)
    assert error.code == "runtime.rights_export_unsupported_language"
    assert f"“{lang}”" in error.text.zh and f"'{lang}'" in error.text.en
    assert "zh, en" in error.text.en


# --- the contract every format relies on


def broken(**change: Any) -> Holdings:
    return replace(holdings(), **change)


def section_with(**change: Any) -> Section:
    return replace(SHARING, **change)


@pytest.mark.parametrize(
    "bad",
    [
        broken(sections=(section_with(key="../evil"),)),
        broken(sections=(section_with(key="Attributes"),)),
        broken(sections=(section_with(), section_with())),
        broken(sections=(section_with(columns=(SHARING.columns[0], SHARING.columns[0])),)),
        broken(sections=(section_with(rows=({"recipient": "x", "secret": "y"},)),)),
        broken(generated_at=datetime(2025, 3, 15, 8, 30)),
    ],
    ids=[
        "path-in-key",
        "uppercase-key",
        "duplicate-section",
        "duplicate-column",
        "value-without-column",
        "naive-time",
    ],
)
@pytest.mark.parametrize(
    "render", [export_json, export_zip, lambda h: export_html(h, "zh")], ids=["json", "zip", "html"]
)
def test_holdings_breaking_the_contract_are_refused_by_every_format(bad: Holdings, render: Any) -> None:
    with pytest.raises(ValueError):
        render(bad)


@pytest.mark.parametrize(
    "render", [export_json, export_zip, lambda h: export_html(h, "en")], ids=["json", "zip", "html"]
)
def test_a_value_that_is_not_json_is_refused_by_every_format(render: Any) -> None:
    section = section_with(rows=({"recipient": datetime(2025, 1, 1, tzinfo=UTC)},))
    with pytest.raises(TypeError):
        render(broken(sections=(section,)))
