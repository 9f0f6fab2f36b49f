"""One row value as cell text: compact JSON for machines (CSV), readable words for people (HTML)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import orjson

from consentgate.i18n import message
from consentgate.text import Lang

# Text starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LIST_SEPARATOR: dict[Lang, str] = {"zh": "、", "en": ", "}
_EMPTY = "—"


def json_default(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value; give it as text (e.g. ISO 8601)")


JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def compact_json(value: object) -> str:
    return orjson.dumps(value, default=json_default, option=JSON_OPTIONS).decode("utf-8")


def neutralise_formula(text: str) -> str:
    """A leading apostrophe makes a spreadsheet show the text instead of evaluating it."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_cell(value: Any) -> str:
    """Machine-readable: numbers and booleans as JSON spells them, lists and dicts as compact JSON."""
    if isinstance(value, str):
        return neutralise_formula(value)
    if value is None:
        return ""
    if isinstance(value, bool | int | float | list | tuple | Mapping):
        return compact_json(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value; give it as text (e.g. ISO 8601)")


def readable_cell(value: Any, lang: Lang) -> str:
    """For a person: yes/no in words, lists joined, a dict as one `key: value` per line."""
    if isinstance(value, str):  # most cells: answered before any slower check
        return value
    if isinstance(value, Mapping):
        if not value:
            return _EMPTY
        return "\n".join(f"{key}: {_nested(item, lang)}" for key, item in value.items())
    return _nested(value, lang)


def _nested(value: Any, lang: Lang) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return _EMPTY
    if isinstance(value, bool):
        return _word("rights.export.yes" if value else "rights.export.no", lang)
    if isinstance(value, int | float):
        return compact_json(value)
    if isinstance(value, list | tuple):
        return _LIST_SEPARATOR[lang].join(_inner(item, lang) for item in value) if value else _EMPTY
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_inner(item, lang)}" for key, item in value.items()) if value else _EMPTY
    raise TypeError(f"{type(value).__name__} is not a JSON value; give it as text (e.g. ISO 8601)")


@cache
def _word(key: str, lang: Lang) -> str:
    return message(key).in_(lang)


def _inner(value: Any, lang: Lang) -> str:
    """A list or dict inside another one is bracketed, so its items are not read as the outer ones."""
    if not isinstance(value, str) and isinstance(value, list | tuple | Mapping) and value:
        return f"({_nested(value, lang)})"
    return _nested(value, lang)
