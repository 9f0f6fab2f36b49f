"""Indexes `pre-pipl-laws.yaml`: the laws courts applied to personal information before the PIPL.

Conduct before 2021-11-01 is judged under the Cybersecurity Law, the Consumer Rights Protection
Law, the General Provisions of the Civil Law (until 2021-01-01), the Tort Liability Law (likewise)
and the E-Commerce Law. Articles get ids in the catalog's scheme (`CSL-41`, `GPCL-111`, `CSL-76.5`
for an item); each keeps the file's own `verification`, so a partly verified article (TLL 36) is
never shown as verified text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from consentgate.law._zh_numbers import numbered_items, zh_numeral
from consentgate.law.models import InForce, Instrument, LawEntry
from consentgate.text import Text

Raw = Mapping[str, Any]

# The file's law id -> the instrument, and how headings name the law in short.
LAWS: Mapping[str, tuple[Instrument, str, str]] = {
    "CSL-2016": (Instrument.CSL, "网络安全法", "CSL"),
    "CPL-2013": (Instrument.CPL, "消费者权益保护法", "CPL"),
    "GPCL-2017": (Instrument.GPCL, "民法总则", "GPCL"),
    "TLL-2009": (Instrument.TLL, "侵权责任法", "TLL"),
    "ECL-2018": (Instrument.ECL, "电子商务法", "ECL"),
}
_ARTICLE = re.compile(r"^(\d+)")


def _sources(keys: list[str], described: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(f"{key}: {described[key]}" if key in described else str(key) for key in keys)


def _law_entries(law: Raw, described: Mapping[str, str], in_force: InForce) -> Iterator[LawEntry]:
    instrument, short_zh, short_en = LAWS[str(law["law_id"])]
    title = Text(zh=str(law["title_zh"]), en=str(law["title_en"]))
    for article in law["articles"]:
        match = _ARTICLE.match(str(article["article"]))
        assert match, article["article"]
        number = int(match.group(1))
        article_id = f"{instrument.value}-{number}"
        zh, en = str(article["zh"]).strip(), str(article["en"]).strip()
        verification = str(article["verification"])
        heading = Text(
            zh=f"《{short_zh}》第{zh_numeral(number)}条",
            en=f"{short_en} Art. {number} — {article['topic']}",
        )
        common: dict[str, Any] = {
            "instrument": instrument,
            "instrument_title": title,
            "verified": verification.startswith("verbatim"),
            "verification": verification,
            "in_force": in_force,
            "sources": _sources(list(article.get("sources", [])), described),
        }
        yield LawEntry(id=article_id, heading=heading, text=Text(zh=zh, en=en), **common)
        for item, text in numbered_items(zh, en):
            yield LawEntry(
                id=f"{article_id}.{item}",
                heading=Text(zh=f"{heading.zh}第（{zh_numeral(item)}）项", en=f"{heading.en}, item ({item})"),
                text=text,
                parent=article_id,
                **common,
            )


def pre_pipl_entries(raw: Raw, windows: Mapping[str, InForce]) -> Iterator[LawEntry]:
    """Every article of every law in the file, each dated with its law's window."""
    described: Mapping[str, str] = raw["meta"].get("sources", {})
    for law in raw["laws"]:
        instrument = LAWS[str(law["law_id"])][0]
        yield from _law_entries(law, described, windows[instrument.value])
