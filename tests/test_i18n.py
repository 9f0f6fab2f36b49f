"""Both language catalogs hold the same keys and the same placeholders."""

from __future__ import annotations

import re

from consentgate.i18n import _catalog, keys


def test_catalogs_have_the_same_keys() -> None:
    assert keys("zh") == keys("en")


def test_catalogs_use_the_same_placeholders() -> None:
    for key in keys("en"):
        zh = set(re.findall(r"\{(\w+)\}", _catalog("zh")[key]))
        en = set(re.findall(r"\{(\w+)\}", _catalog("en")[key]))
        assert zh == en, key


def test_chinese_catalog_is_chinese() -> None:
    for key in keys("zh"):
        text = _catalog("zh")[key]
        if key != "error.usage":
            assert re.search(r"[\u4e00-\u9fff]", text), key
