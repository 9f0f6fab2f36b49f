"""`consentgate law`: read what a finding cites without leaving the terminal."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.law.catalog import load_catalog

register_all()


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["law", *args])


def test_show_prints_heading_text_in_both_languages_and_sources() -> None:
    result = _run("show", "PIPL-24")
    assert result.exit_code == 0, result.output
    entry = load_catalog().entry("PIPL-24")
    assert entry.text is not None
    assert "《个人信息保护法》第二十四条" in result.output
    assert "PIPL Art. 24" in result.output
    assert "不针对其个人特征的选项" in result.output
    assert "an option that does not target" in result.output
    assert "已核实原文 / verified text" in result.output
    assert entry.sources[0] in result.output


def test_show_in_one_language() -> None:
    zh = _run("show", "PIPL-24", "--lang", "zh")
    en = _run("show", "PIPL-24", "--lang", "en")
    assert zh.exit_code == en.exit_code == 0
    assert "不针对其个人特征的选项" in zh.output and "automated decision-making" not in zh.output
    assert "automated decision-making" in en.output and "不针对其个人特征的选项" not in en.output


def test_show_marks_unverified_entries() -> None:
    result = _run("show", "GBT35273-7.5")
    assert result.exit_code == 0
    assert "未核实原文 / text not verified" in result.output
    assert "NOT VERIFIED" in result.output
    assert "个性化展示" in result.output


def test_show_accepts_any_case() -> None:
    result = _run("show", "pipl-13.2", "--lang", "zh")
    assert result.exit_code == 0
    assert "合同所必需" in result.output


def test_unknown_id_suggests_the_closest_in_both_languages() -> None:
    result = _run("show", "PIPL-13.22")
    assert result.exit_code == 2
    assert "法规目录中没有条目“PIPL-13.22”——您是否想写“PIPL-13.2”" in result.output
    assert "no law catalog entry 'PIPL-13.22' — did you mean 'PIPL-13.2'" in result.output
    assert "Traceback" not in result.output


def test_app_types_table_lists_all_39_and_the_13_without_pi() -> None:
    result = _run("app-types")
    assert result.exit_code == 0
    for app_type in load_catalog().app_types.values():
        assert app_type.slug in result.output
        assert app_type.name.zh in result.output
    assert result.output.count("无须个人信息 / none needed") == 13
    assert "注册用户移动电话号码" in result.output


def test_app_types_json() -> None:
    result = _run("app-types", "--format", "json")
    assert result.exit_code == 0
    types = json.loads(result.output)
    assert [t["number"] for t in types] == list(range(1, 40))
    learning = next(t for t in types if t["slug"] == "learning-education")
    assert learning["necessary"][0]["categories"] == ["contact.phone"]
    assert learning["basic_function"]["zh"] == "在线辅导、网络课堂等"
    assert sum(t["no_pi_required"] for t in types) == 13


def test_app_types_rejects_unknown_format() -> None:
    assert _run("app-types", "--format", "xml").exit_code == 2


def test_list_filters_by_instrument() -> None:
    result = _run("list", "--instrument", "ARP")
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.output.splitlines() if line.strip()]
    assert ids == [k for k, e in load_catalog().entries.items() if e.instrument.value == "ARP"]
    assert "ARP-17" in ids


def test_list_everything_marks_unverified() -> None:
    result = _run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(load_catalog().entries)
    line = next(line for line in lines if line.startswith("GBT35273-7.5 "))
    assert "未核实原文 / text not verified" in line


def test_show_says_a_miit_clause_is_draft_wording() -> None:
    result = _run("show", "MIIT-2023-26.pi.1")
    assert result.exit_code == 0, result.output
    assert "未核实原文 / text not verified" in result.output
    assert "征求意见稿原文，非最终文本" in result.output
    assert "draft-verbatim" in result.output
    assert "不得影响用户使用该服务的基本功能" in result.output


def test_show_says_a_miit_draft_clause_is_secondary() -> None:
    result = _run("show", "MIIT-2021-draft.refusal-must-not-block", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "secondary: not the document's wording" in result.output
    assert "shall not forcibly exit or close" in result.output
