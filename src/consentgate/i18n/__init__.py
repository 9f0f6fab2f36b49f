"""One catalog of user-facing text per language; code refers to keys, never inline strings."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from consentgate.text import LANGS, Lang, Text


@cache
def _catalog(lang: Lang) -> dict[str, str]:
    raw = resources.files("consentgate.i18n").joinpath(f"{lang}.yaml").read_text("utf-8")
    data: dict[str, str] = yaml.safe_load(raw)
    return data


def message(key: str, /, **values: object) -> Text:
    """The text under `key` in both languages, formatted with `values` (a `Text` value is picked per language)."""

    def render(lang: Lang) -> str:
        picked = {k: v.in_(lang) if isinstance(v, Text) else v for k, v in values.items()}
        return _catalog(lang)[key].format(**picked)

    zh, en = (render(lang) for lang in LANGS)
    return Text(zh=zh, en=en)


def keys(lang: Lang) -> frozenset[str]:
    return frozenset(_catalog(lang))
