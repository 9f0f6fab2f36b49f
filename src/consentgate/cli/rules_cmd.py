"""`consentgate rules`: every rule with its severity, title and citations (docs/rules.md comes from here)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from consentgate.audit.config import load_config
from consentgate.audit.report.rules_doc import rules_json, rules_markdown, rules_table
from consentgate.cli.app import app, fail
from consentgate.errors import ConsentgateError
from consentgate.rules.base import all_rules
from consentgate.text import Lang


class RulesFormat(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"


class RulesLang(StrEnum):
    ZH = "zh"
    EN = "en"


_LANGS: dict[RulesLang, Lang] = {RulesLang.ZH: "zh", RulesLang.EN: "en"}


@app.command()
def rules(
    fmt: Annotated[
        RulesFormat,
        typer.Option(
            "--format", help="table for a terminal; markdown (bilingual) for docs/rules.md; json for tools"
        ),
    ] = RulesFormat.TABLE,
    lang: Annotated[
        RulesLang | None, typer.Option("--lang", help="Language of the table (default: zh, or from config)")
    ] = None,
) -> None:
    """List every rule / 列出全部规则。"""
    rule_list = all_rules()
    if fmt is RulesFormat.MARKDOWN:
        typer.echo(rules_markdown(rule_list), nl=False)
    elif fmt is RulesFormat.JSON:
        typer.echo(rules_json(rule_list), nl=False)
    else:
        try:
            language = _LANGS[lang] if lang is not None else (load_config().settings.lang or "zh")
        except ConsentgateError as error:
            raise fail(error) from None
        Console(highlight=False).print(rules_table(rule_list, language))
