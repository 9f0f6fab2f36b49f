"""Chinese numerals as statutes write them, both ways, and the numbered items （一）/(1) of an article."""

from __future__ import annotations

import re
from collections.abc import Iterator

from consentgate.text import Text

_ZH_ITEM = re.compile(r"^（([一二三四五六七八九十]+)）")
_ZH_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_DIGITS = "零一二三四五六七八九"


def zh_number(token: str) -> int:
    """`十七` → 17 (item numbers, up to ninety-nine)."""
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _ZH_NUMERALS[token[1:]]
    if "十" in token:
        tens, _, ones = token.partition("十")
        return _ZH_NUMERALS[tens] * 10 + (_ZH_NUMERALS[ones] if ones else 0)
    return _ZH_NUMERALS[token]


def zh_numeral(number: int) -> str:
    """Article numbers as Chinese statutes write them: 17 → 十七, 1035 → 一千零三十五."""
    if not 0 < number < 10000:
        return str(number)
    parts: list[str] = []
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_DIGITS[digit] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def numbered_items(zh: str, en: str) -> Iterator[tuple[int, Text]]:
    """Pairs the numbered items （一）/(1) of an article's Chinese and English text."""
    zh_items = {}
    for line in zh.splitlines():
        match = _ZH_ITEM.match(line.strip())
        if match:
            zh_items[zh_number(match.group(1))] = line.strip()
    en_items = {}
    for line in en.splitlines():
        match = re.match(r"^\((\d+)\)", line.strip())
        if match:
            en_items[int(match.group(1))] = line.strip()
    for number, zh_line in sorted(zh_items.items()):
        yield number, Text(zh=zh_line, en=en_items.get(number, ""))
