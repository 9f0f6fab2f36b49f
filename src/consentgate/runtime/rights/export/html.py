"""The summary a person reads: one standalone, printable HTML page in zh or en, escaped throughout."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from consentgate.errors import ConsentgateError
from consentgate.i18n import message
from consentgate.runtime.rights.export.cells import readable_cell
from consentgate.runtime.rights.export.contract import check_holdings, utc
from consentgate.runtime.rights.holdings import Holdings, Section
from consentgate.text import LANGS, Lang

TEMPLATE = "export.html.j2"
_HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}


class UnsupportedExportLanguage(ConsentgateError):
    """A summary asked for in a language other than zh or en."""

    code = "runtime.rights_export_unsupported_language"


@dataclass(frozen=True)
class SectionView:
    """A section with every heading and cell already turned into text in the page's language."""

    key: str
    title: str
    explanation: str
    headings: tuple[str, ...]
    count: int
    body: Markup  # the rows as `<tr>`s, escaped here: see `_rows`


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("consentgate.runtime.rights", "templates"),
        autoescape=True,  # every value in a row is the person's own data, untrusted as markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _language(lang: str) -> Lang:
    for known in LANGS:
        if lang == known:
            return known
    raise UnsupportedExportLanguage.from_key(
        "rights.export.unsupported_language", lang=lang, known=", ".join(LANGS)
    )


def _view(section: Section, lang: Lang) -> SectionView:
    keys = [column.key for column in section.columns]
    return SectionView(
        key=section.key,
        title=section.title.in_(lang),
        explanation=section.explanation.in_(lang),
        headings=tuple(column.title.in_(lang) for column in section.columns),
        count=len(section.rows),
        body=_rows([[readable_cell(row.get(key), lang) for key in keys] for row in section.rows]),
    )


def _rows(rows: list[list[str]]) -> Markup:
    """All rows as one Markup, each cell escaped with the stdlib's `html.escape`. Letting the template
    escape cell by cell builds a Markup per cell and doubles the time a 10,000-row section takes."""
    return Markup(
        "".join("<tr>" + "".join(f"<td>{escape(text)}</td>" for text in row) + "</tr>\n" for row in rows)
    )


def export_html(holdings: Holdings, lang: str) -> str:
    """The page in `lang` ("zh" or "en"); an empty section stays, saying that none of it is held."""
    language = _language(lang)
    check_holdings(holdings)
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            holdings=holdings,
            html_lang=_HTML_LANG[language],
            generated=utc(holdings.generated_at).strftime("%Y-%m-%d %H:%M:%S UTC"),
            sections=[_view(section, language) for section in holdings.sections],
            t=lambda key, **values: message(key, **values).in_(language),
        )
    )
