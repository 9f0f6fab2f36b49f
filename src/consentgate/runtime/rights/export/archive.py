"""The zip a person downloads: data.json, one CSV per section, both HTML summaries and a README.

Byte-identical for the same `Holdings` (fixed order, dates and permissions), so a copy can be
re-created and compared, and a stored checksum proves what was handed over.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

from consentgate.i18n import message
from consentgate.runtime.rights.export.cells import csv_cell, neutralise_formula
from consentgate.runtime.rights.export.contract import check_holdings, utc
from consentgate.runtime.rights.export.document import export_json
from consentgate.runtime.rights.export.html import export_html
from consentgate.runtime.rights.holdings import Holdings, Section
from consentgate.text import LANGS, Lang

README = "README.txt"
DATA = "data.json"
_PERMISSIONS = 0o644 << 16  # rw-r--r-- as a Unix file, whoever built the zip
_UNIX = 3


def csv_name(section: Section) -> str:
    return f"{section.key}.csv"


def summary_name(lang: Lang) -> str:
    return f"summary.{lang}.html"


def section_csv(section: Section) -> bytes:
    """Header row of column keys, then the rows; UTF-8 with a BOM so that Excel reads Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    keys = [column.key for column in section.columns]
    writer.writerow([neutralise_formula(key) for key in keys])
    writer.writerows([csv_cell(row.get(key)) for key in keys] for row in section.rows)
    return buffer.getvalue().encode("utf-8-sig")


def _readme(holdings: Holdings, lang: Lang) -> str:
    def line(key: str, **values: object) -> str:
        return message(key, **values).in_(lang)

    request = holdings.request_id or line("rights.export.no_request")
    generated = utc(holdings.generated_at).strftime("%Y-%m-%d %H:%M:%S UTC")
    files = [
        (README, line("rights.export.readme.readme")),
        (DATA, line("rights.export.readme.data")),
        *((csv_name(s), line("rights.export.readme.csv", title=s.title)) for s in holdings.sections),
        *((summary_name(other), line(f"rights.export.readme.summary_{other}")) for other in LANGS),
    ]
    width = max(len(name) for name, _ in files)
    return "\n".join(
        [
            line("rights.export.title"),
            line("rights.export.intro", controller=holdings.controller),
            line("rights.export.readme.generated", generated=generated, request=request),
            "",
            line("rights.export.readme.files"),
            *(f"  {name.ljust(width)}  {what}" for name, what in files),
            "",
            line("rights.export.readme.csv_note"),
        ]
    )


def readme(holdings: Holdings) -> bytes:
    """Chinese first, then English; CRLF and a BOM so that Windows Notepad shows it right too."""
    text = "\n\n\n".join(_readme(holdings, lang) for lang in LANGS) + "\n"
    return text.replace("\n", "\r\n").encode("utf-8-sig")


def _date_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """The zip's own timestamp (no zone; taken in UTC), held to the range the format can store."""
    at = utc(moment)
    if at.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if at.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (at.year, at.month, at.day, at.hour, at.minute, at.second)


def export_zip(holdings: Holdings) -> bytes:
    check_holdings(holdings)
    files: list[tuple[str, bytes]] = [
        (README, readme(holdings)),
        (DATA, export_json(holdings)),
        *((csv_name(section), section_csv(section)) for section in holdings.sections),
        *((summary_name(lang), export_html(holdings, lang).encode("utf-8")) for lang in LANGS),
    ]
    stamp = _date_time(holdings.generated_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = _UNIX
            info.external_attr = _PERMISSIONS
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
