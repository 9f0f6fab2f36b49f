"""`consentgate law show` and `consentgate rules` say when a law was in force and whom a rule judges."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all

register_all()


def _run(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_prints_the_window_in_both_languages() -> None:
    shown = _run("law", "show", "PIPL-24")
    assert "施行：2021-11-01 起 / in force 2021-11-01 –" in shown
    assert "日期来源 / Dates: pipl-articles.yaml: meta.effective: '2021-11-01'" in shown


def test_show_prints_a_lapsed_law_with_its_last_day_and_an_unsure_date_flagged() -> None:
    shown = _run("law", "show", "GPCL-111", "--lang", "en")
    assert "⚠ in force 2017-10-01 – 2020-12-31 (date not verified)" in shown
    assert "NOT read in a source" in shown


def test_show_prints_a_pre_pipl_article_and_its_status() -> None:
    shown = _run("law", "show", "TLL-36", "--lang", "zh")
    assert "《侵权责任法》第三十六条" in shown
    assert "⚠ [未核实原文] partial-verbatim" in shown
    assert "施行：2010-07-01 至 2020-12-31" in shown


def test_the_rules_table_has_a_window_column() -> None:
    table = _run("rules", "--lang", "zh")
    assert "施行" in table and "2017-06-01 至 2021-10-31" in table and "2021-11-01 起" in table


def test_rules_json_gives_the_first_and_last_day_each_rule_judges() -> None:
    listed = {r["id"]: r for r in json.loads(_run("rules", "--format", "json"))}
    assert listed["CG-CSL-042-SHARING-WITHOUT-CONSENT"]["in_force"] == {
        "first_day": "2017-06-01",
        "last_day": "2021-10-31",
    }
    assert listed["CG-PIPL-023-SHARING-WITHOUT-SEPARATE-CONSENT"]["in_force"] == {
        "first_day": "2021-11-01",
        "last_day": None,
    }
    assert listed["CG-ARP-017-NO-TAG-CONTROLS"]["in_force"]["first_day"] == "2022-03-01"


def test_rules_markdown_dates_each_rule_and_each_citation() -> None:
    markdown = _run("rules", "--format", "markdown")
    section = markdown.split("## CG-CPL-029-MARKETING-WITHOUT-CONSENT\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "- 施行：2014-03-15 至 2021-10-31（日期未经核实） / in force 2014-03-15 – 2021-10-31 (date not verified)"
        in section
    )
    assert "— 施行：2014-03-15 起（日期未经核实） / in force 2014-03-15 – (date not verified)" in section
