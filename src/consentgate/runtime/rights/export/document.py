"""`data.json`: the whole copy in one machine-readable file another service can import (PIPL 45)."""

from __future__ import annotations

from typing import Any

import orjson

from consentgate.runtime.rights.export.cells import JSON_OPTIONS, json_default
from consentgate.runtime.rights.export.contract import check_holdings, iso_utc
from consentgate.runtime.rights.holdings import Holdings, Section
from consentgate.text import Text

FORMAT = "consentgate-subject-export"
FORMAT_VERSION = 1


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _section(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": _text(section.title),
        "explanation": _text(section.explanation),
        "columns": [{"key": column.key, "title": _text(column.title)} for column in section.columns],
        "rows": [dict(row) for row in section.rows],
    }


def export_json(holdings: Holdings) -> bytes:
    """UTF-8 JSON, keys sorted and indented so that a person can read it too."""
    check_holdings(holdings)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "subject": holdings.subject,
        "tenant": holdings.tenant,
        "controller": holdings.controller,
        "generated_at": iso_utc(holdings.generated_at),
        "request_id": holdings.request_id,
        "sections": [_section(section) for section in holdings.sections],
    }
    options = JSON_OPTIONS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    return orjson.dumps(document, default=json_default, option=options)
