"""`consentgate law show|list|app-types|categories`: read the law catalog the rules cite, from the terminal.

A finding cites `PIPL-13.2`; a user should be able to read that text (and see whether it was
checked against an official source, and when it was in force) without leaving the terminal.
"""

from __future__ import annotations

import difflib
import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from consentgate.cli.app import fail, law_app
from consentgate.errors import LawLookupError
from consentgate.i18n import message
from consentgate.law.catalog import Catalog, load_catalog
from consentgate.law.in_force import window_text
from consentgate.law.models import AppType, DataCategory, Instrument, LawEntry
from consentgate.text import LANGS, Lang, Text

_PIPED_WIDTH = 160


class LangOption(StrEnum):
    ZH = "zh"
    EN = "en"


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


LangArg = Annotated[
    LangOption | None, typer.Option("--lang", help="zh or en; both when omitted / 输出语言，默认中英文")
]


def chosen_langs(lang: LangOption | None) -> tuple[Lang, ...]:
    return LANGS if lang is None else ("zh",) if lang is LangOption.ZH else ("en",)


def _say(text: Text, langs: tuple[Lang, ...]) -> str:
    """One line in the chosen language, or `zh / en` when both are wanted."""
    return " / ".join(text.in_(lang) for lang in langs)


def find_entry(catalog: Catalog, law_id: str) -> LawEntry:
    """The entry by id (case-insensitive), or a bilingual error suggesting the closest id."""
    if law_id in catalog.entries:
        return catalog.entries[law_id]
    by_folded = {key.casefold(): key for key in catalog.entries}
    if law_id.casefold() in by_folded:
        return catalog.entries[by_folded[law_id.casefold()]]
    close = difflib.get_close_matches(law_id.casefold(), list(by_folded), n=1, cutoff=0.6)
    suggestion = (
        message("error.did_you_mean", suggestion=by_folded[close[0]]) if close else Text(zh="", en="")
    )
    raise LawLookupError.from_key("error.unknown_law_id", id=law_id, hint=suggestion)


def _status(entry: LawEntry, langs: tuple[Lang, ...]) -> str:
    if entry.verified:
        return f"[{_say(message('law.verified'), langs)}] {entry.verification}"
    return f"⚠ [{_say(message('law.unverified'), langs)}] {entry.verification}"


def _window(entry: LawEntry, langs: tuple[Lang, ...]) -> str:
    """`施行：2017-10-01 至 2020-12-31 / in force 2017-10-01 – 2020-12-31`, flagged when a date is unsure."""
    mark = "" if entry.in_force.verified else "⚠ "
    return f"{mark}{_say(window_text(entry.in_force), langs)}"


def render_entry(entry: LawEntry, langs: tuple[Lang, ...]) -> str:
    """The whole entry as plain text: heading, instrument, status, window, text per language, sources."""
    lines = [f"{entry.id}  {entry.heading.in_(langs[0])}"]
    lines += [f"{' ' * len(entry.id)}  {entry.heading.in_(lang)}" for lang in langs[1:]]
    lines += [_say(entry.instrument_title, langs), _status(entry, langs), _window(entry, langs), ""]
    for lang in langs:
        if entry.text is None:
            lines.append(message("law.no_text").in_(lang))
        else:
            lines.append(entry.text.in_(lang))
        lines.append("")
    if entry.sources:
        lines.append(f"{_say(message('law.sources'), langs)}:")
        lines += [f"  - {source}" for source in entry.sources]
    lines.append(f"{_say(message('law.window.source'), langs)}: {entry.in_force.source}")
    return "\n".join(lines).rstrip()


@law_app.command("show")
def show(
    law_id: Annotated[str, typer.Argument(help="Catalog id, e.g. PIPL-13.2 / 条目编号")],
    lang: LangArg = None,
) -> None:
    """Print one article, item or clause with its sources / 显示一条法规原文及来源。"""
    try:
        entry = find_entry(load_catalog(), law_id)
    except LawLookupError as error:
        raise fail(error) from None
    typer.echo(render_entry(entry, chosen_langs(lang)))


@law_app.command("list")
def list_entries(
    instrument: Annotated[
        Instrument | None,
        typer.Option("--instrument", case_sensitive=False, help="Only this instrument / 仅列出该法规"),
    ] = None,
    lang: LangArg = None,
) -> None:
    """List catalog ids and headings / 列出法规目录的条目编号与标题。"""
    langs = chosen_langs(lang)
    unverified = _say(message("law.unverified"), langs)
    for entry in load_catalog().entries.values():
        if instrument is not None and entry.instrument is not instrument:
            continue
        mark = "" if entry.verified else f"  [{unverified}]"
        typer.echo(f"{entry.id:<28} {_say(entry.heading, langs)}{mark}")


def app_type_json(app_type: AppType) -> dict[str, Any]:
    return {
        "number": app_type.number,
        "slug": app_type.slug,
        "citation": app_type.citation,
        "name": app_type.name.model_dump(),
        "basic_function": app_type.basic_function.model_dump(),
        "no_pi_required": app_type.no_pi_required,
        "necessary": [
            {"number": item.number, "text": item.text.model_dump(), "categories": list(item.categories)}
            for item in app_type.necessary
        ],
    }


def _app_types_table(app_types: list[AppType], langs: tuple[Lang, ...]) -> Table:
    no_pi = sum(t.no_pi_required for t in app_types)
    table = Table(title=_say(message("law.app_types_title", no_pi=no_pi), langs), show_lines=True)
    for key in ("number", "slug", "name", "basic_function", "necessary", "categories"):
        # Slugs and categories are typed into manifests: never truncate or wrap them.
        keep_whole = key in ("number", "slug", "categories")
        table.add_column(
            "\n".join(message(f"law.col.{key}").in_(lang) for lang in langs),
            no_wrap=keep_whole,
            min_width=None if keep_whole else 16,
            overflow="fold",
        )
    for app_type in app_types:
        if app_type.no_pi_required:
            necessary = f"[bold green]{_say(message('law.no_pi'), langs)}[/]"
        else:
            necessary = "\n".join(
                f"{'' if item.number is None else f'{item.number}. '}{item.text.in_(lang)}"
                for lang in langs
                for item in app_type.necessary
            )
        table.add_row(
            str(app_type.number),
            app_type.slug,
            "\n".join(app_type.name.in_(lang) for lang in langs),
            "\n".join(app_type.basic_function.in_(lang) for lang in langs),
            necessary,
            "\n".join(sorted(app_type.necessary_categories)),
        )
    return table


@law_app.command("app-types")
def app_types(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.TABLE,
    lang: LangArg = None,
) -> None:
    """The 39 app types, their basic function and necessary PI / 39 类 App 的基本功能与必要个人信息。"""
    types = sorted(load_catalog().app_types.values(), key=lambda t: t.number)
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps([app_type_json(t) for t in types], ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(
            highlight=False, width=_PIPED_WIDTH
        )  # a file or pager has room; 80 columns is cramped
    console.print(_app_types_table(types, chosen_langs(lang)))


def category_json(category: DataCategory) -> dict[str, Any]:
    return {
        "id": category.id,
        "label": category.label.model_dump(),
        "sensitive": category.sensitive,
        "incidental": category.incidental,
        "sources": list(category.sources),
    }


def _categories_table(categories: list[DataCategory], langs: tuple[Lang, ...]) -> Table:
    table = Table(title=_say(message("law.categories_title", count=len(categories)), langs))
    for key in ("category", "label", "sensitive", "sources"):
        # Category ids are typed into manifests, sources into `law show`: never truncate or wrap them.
        keep_whole = key in ("category", "sources")
        table.add_column(
            "\n".join(message(f"law.col.{key}").in_(lang) for lang in langs),
            no_wrap=keep_whole,
            overflow="fold",
        )
    sensitive = _say(message("law.sensitive_yes"), langs)
    for category in categories:
        table.add_row(
            category.id,
            "\n".join(category.label.in_(lang) for lang in langs),
            f"[bold red]{sensitive}[/]" if category.sensitive else "",
            "\n".join(category.sources),
        )
    return table


@law_app.command("categories")
def categories(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.TABLE,
    sensitive_only: Annotated[
        bool, typer.Option("--sensitive", help="Only sensitive categories (PIPL 28) / 仅列出敏感个人信息类别")
    ] = False,
    lang: LangArg = None,
) -> None:
    """The data categories a manifest may use, their sensitivity and sources / 数据类别、敏感性及依据。"""
    found = sorted(load_catalog().categories.values(), key=lambda c: c.id)
    if sensitive_only:
        found = [c for c in found if c.sensitive]
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps([category_json(c) for c in found], ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=_PIPED_WIDTH)
    console.print(_categories_table(found, chosen_langs(lang)))
