"""Builds the citable law catalog from the reference files shipped in `law/data/`.

The reference files are kept byte-for-byte as researched (with their sources and verification
notes); this module only indexes them under stable ids such as `PIPL-13.2`, `AVIM-4.2`,
`MIIT-2023-26.pi.1` (the MIIT notices: `_miit.py`) or `CSL-41` (the laws before the PIPL:
`_pre_pipl.py`), and dates each entry with its instrument's window (`in_force.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from consentgate.law._miit import miit_entries
from consentgate.law._pre_pipl import pre_pipl_entries
from consentgate.law._zh_numbers import numbered_items, zh_numeral
from consentgate.law.in_force import load_windows
from consentgate.law.models import (
    OTHER_APP_TYPE,
    AppType,
    DataCategory,
    InForce,
    Instrument,
    LawEntry,
    NecessaryItem,
    Taxonomy,
)
from consentgate.text import Text

__all__ = ["Catalog", "load_catalog", "zh_numeral"]

_CLAUSE_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)(?=[\s-]|$)")
_ANNEX = re.compile(r"^Annex ([A-Z])\b")

Raw = Mapping[str, Any]


def _read(name: str) -> Raw:
    text = resources.files("consentgate.law").joinpath("data", name).read_text("utf-8")
    data: Raw = yaml.load(text, Loader=yaml.CSafeLoader)
    return data


@dataclass(frozen=True)
class _Statute:
    file: str
    instrument: Instrument
    short_zh: str
    short_en: str


_STATUTES = (
    _Statute("pipl-articles.yaml", Instrument.PIPL, "个人信息保护法", "PIPL"),
    _Statute("civil-code-articles.yaml", Instrument.CIVIL, "民法典", "Civil Code"),
)


def _statute_entries(statute: _Statute, in_force: InForce) -> Iterator[LawEntry]:
    raw = _read(statute.file)
    meta = raw["meta"]
    title = Text(zh=meta["title_zh"], en=meta["title_en"])
    source = str(meta["zh_source"])
    for article in raw["articles"]:
        number = int(article["article"])
        article_id = f"{statute.instrument.value}-{number}"
        zh, en = str(article["zh"]).strip(), str(article["en"]).strip()
        heading = Text(
            zh=f"《{statute.short_zh}》第{zh_numeral(number)}条",
            en=f"{statute.short_en} Art. {number} — {article['topic']}",
        )
        yield LawEntry(
            id=article_id,
            instrument=statute.instrument,
            instrument_title=title,
            heading=heading,
            text=Text(zh=zh, en=en),
            verified=True,
            verification="verbatim (see zh_source and zh_cross_checks)",
            in_force=in_force,
            sources=(source,),
        )
        for item, text in numbered_items(zh, en):
            yield LawEntry(
                id=f"{article_id}.{item}",
                instrument=statute.instrument,
                instrument_title=title,
                heading=Text(zh=f"{heading.zh}第（{zh_numeral(item)}）项", en=f"{heading.en}, item ({item})"),
                text=text,
                verified=True,
                verification="verbatim (item of the verified article)",
                in_force=in_force,
                sources=(source,),
                parent=article_id,
            )


def _clause_ids(clause: str) -> list[str]:
    """`'11.1 / 11.2 / 11.3'` → three ids; `'Annex A (normative)'` → `A`; `'8.x (...)'` → none."""
    ids = []
    for part in clause.split(" / "):
        number = _CLAUSE_NUMBER.match(part.strip())
        annex = _ANNEX.match(part.strip())
        if number:
            ids.append(number.group(1))
        elif annex:
            ids.append(annex.group(1))
    return ids


def _split_title(title: str | None, count: int) -> list[str]:
    parts = [p.strip() for p in (title or "").split(" / ")]
    return parts if len(parts) == count else [title or ""] * count


def _standard_clauses(standard: Raw, instrument: Instrument, in_force: InForce) -> Iterator[LawEntry]:
    title = Text(zh=f"{standard['id']} {standard['title_zh']}", en=standard["title_en"])
    known_sources = tuple(str(s) for s in standard.get("sources", {}) or ())
    seen: set[str] = set()
    for clause in [*standard.get("clauses", []), *standard.get("toc", [])]:
        ids = _clause_ids(str(clause["clause"]))
        zh_titles = _split_title(clause.get("title_zh"), len(ids))
        en_titles = _split_title(clause.get("title_en"), len(ids))
        status = str(clause.get("text_status", "table of contents only (title, no text)"))
        verified = status.startswith("verbatim")
        for number, zh_title, en_title in zip(ids, zh_titles, en_titles, strict=True):
            entry_id = f"{instrument.value}-{number}"
            if entry_id in seen:
                continue
            seen.add(entry_id)
            has_text = "zh" in clause and "en" in clause and verified
            yield LawEntry(
                id=entry_id,
                instrument=instrument,
                instrument_title=title,
                heading=Text(zh=f"{standard['id']} {number} {zh_title}", en=f"{number} {en_title}"),
                text=Text(zh=str(clause["zh"]).strip(), en=str(clause["en"]).strip()) if has_text else None,
                verified=verified,
                verification=status if verified else f"NOT VERIFIED: {status}",
                in_force=in_force,
                sources=tuple(str(s) for s in clause.get("sources", [])) or known_sources,
            )


def _arp_entries(standard: Raw, in_force: InForce) -> Iterator[LawEntry]:
    title = Text(zh=str(standard["id"]), en=str(standard["title_en"]))
    for clause in standard["clauses"]:
        number = int(clause["clause"])
        yield LawEntry(
            id=f"ARP-{number}",
            instrument=Instrument.ARP,
            instrument_title=title,
            heading=Text(
                zh=f"《{standard['id']}》第{zh_numeral(number)}条",
                en=f"ARP Art. {number} — {clause['topic']}",
            ),
            text=Text(zh=str(clause["zh"]).strip(), en=str(clause["en"]).strip()),
            verified=True,
            verification="verbatim (see zh_source)",
            in_force=in_force,
            sources=(str(standard["zh_source"]),),
        )


def _standards_entries(windows: Mapping[str, InForce]) -> Iterator[LawEntry]:
    for standard in _read("standards.yaml")["standards"]:
        sid = str(standard["id"])
        if sid.startswith("GB/T 35273"):
            yield from _standard_clauses(standard, Instrument.GBT35273, windows["GBT35273"])
        elif sid.startswith("GB/T 41391"):
            yield from _standard_clauses(standard, Instrument.GBT41391, windows["GBT41391"])
        elif sid == "互联网信息服务算法推荐管理规定":
            yield from _arp_entries(standard, windows["ARP"])


def _avim_entries(in_force: InForce) -> Iterator[LawEntry]:
    raw = _read("app-violation-identification-method.yaml")
    meta = raw["meta"]
    title = Text(zh=f"{meta['title_zh']}（{meta['document_number']}）", en=meta["title_en"])
    for category in raw["categories"]:
        cat_id = f"AVIM-{category['category_id']}"
        yield LawEntry(
            id=cat_id,
            instrument=Instrument.AVIM,
            instrument_title=title,
            heading=Text(zh=category["category_zh"], en=category["category_en"]),
            text=Text(zh=category.get("heading_zh", category["category_zh"]), en=category["category_en"]),
            verified=True,
            verification=str(category.get("heading_verification", "verbatim")),
            in_force=in_force,
        )
        for item in category["items"]:
            verification = str(item["verification"])
            yield LawEntry(
                id=f"AVIM-{item['id']}",
                instrument=Instrument.AVIM,
                instrument_title=title,
                heading=Text(zh=f"认定方法第{item['id']}项", en=f"Identification Method item {item['id']}"),
                text=Text(zh=str(item["zh"]).strip(), en=str(item["en"]).strip()),
                verified=verification == "verbatim",
                verification=verification,
                in_force=in_force,
                sources=tuple(str(s) for s in item.get("sources", [])),
                parent=cat_id,
            )


@dataclass(frozen=True)
class _NpiSource:
    raw: Raw
    slugs: Mapping[int, Raw]
    in_force: InForce


def _npi_entries(npi: _NpiSource, app_types: Iterable[AppType]) -> Iterator[LawEntry]:
    meta = npi.raw["meta"]
    title = Text(zh=f"{meta['title_zh']}（{meta['document_number']}）", en=meta["title_en"])
    for article in npi.raw["articles"]:
        number = int(str(article["article"]).split()[0])
        yield LawEntry(
            id=f"NPI-article-{number}",
            instrument=Instrument.NPI,
            instrument_title=title,
            heading=Text(
                zh=f"《必要个人信息范围规定》第{zh_numeral(number)}条", en=f"NPI Provisions Art. {number}"
            ),
            text=Text(zh=str(article["zh"]).strip(), en=str(article["en"]).strip()),
            verified=str(article["verification"]).startswith("verbatim"),
            verification=str(article["verification"]),
            in_force=npi.in_force,
            sources=tuple(str(s) for s in article.get("sources", [])),
        )
    for app_type in app_types:
        items_zh = "；".join(i.text.zh for i in app_type.necessary) or "无须个人信息，即可使用基本功能服务"
        items_en = "; ".join(i.text.en for i in app_type.necessary) or "No personal information is required"
        yield LawEntry(
            id=app_type.citation,
            instrument=Instrument.NPI,
            instrument_title=title,
            heading=Text(
                zh=f"必要个人信息范围规定第五条（{app_type.number}）{app_type.name.zh}",
                en=f"NPI Provisions Art. 5 ({app_type.number}) {app_type.name.en}",
            ),
            text=Text(
                zh=f"基本功能服务为“{app_type.basic_function.zh}”，必要个人信息为：{items_zh}。",
                en=f"Basic function: {app_type.basic_function.en.rstrip('.')}. Necessary PI: {items_en}.",
            ),
            verified=True,
            verification="verbatim (see necessary-pi-scope.yaml sources)",
            in_force=npi.in_force,
            sources=tuple(str(s) for s in npi.slugs[app_type.number].get("sources", [])),
            parent="NPI-article-5",
        )


def _app_types(npi_raw: Raw, taxonomy: Taxonomy) -> list[AppType]:
    mapping = {t.id: t for t in taxonomy.app_types}
    result = []
    for raw_type in npi_raw["app_types"]:
        number = int(raw_type["id"])
        ours = mapping[number]
        by_no = {m.item: m.categories for m in ours.necessary}
        necessary = tuple(
            NecessaryItem(
                number=item["no"],
                text=Text(zh=item["zh"], en=item["en"]),
                categories=by_no[item["no"]],
            )
            for item in raw_type["necessary_pi"]
        )
        result.append(
            AppType(
                number=number,
                slug=ours.slug,
                name=Text(zh=raw_type["name_zh"], en=raw_type["name_en"]),
                basic_function=Text(zh=raw_type["basic_function_zh"], en=raw_type["basic_function_en"]),
                no_pi_required=bool(raw_type["no_pi_required"]),
                necessary=necessary,
            )
        )
    return result


class Catalog:
    """The whole law as data: entries by id, app types by slug, data categories by id.

    `app_types` holds the 39 types of the NPI Provisions only; `other` (a service outside them) is
    accepted as a type without an entry there (`knows_app_type`, `app_type`).
    """

    def __init__(
        self,
        entries: Iterable[LawEntry],
        app_types: Iterable[AppType],
        categories: Iterable[DataCategory],
    ) -> None:
        self.entries: dict[str, LawEntry] = {}
        for entry in entries:
            if entry.id in self.entries:
                raise ValueError(f"duplicate law catalog id {entry.id}")
            self.entries[entry.id] = entry
        self.app_types: dict[str, AppType] = {t.slug: t for t in app_types}
        self.categories: dict[str, DataCategory] = {c.id: c for c in categories}

    def knows_app_type(self, slug: str) -> bool:
        """One of the 39 types, or `other`, whose operator states its own basic service."""
        return slug in self.app_types or slug == OTHER_APP_TYPE

    def app_type_slugs(self) -> list[str]:
        """Every slug a manifest may name: the 39 types, then `other`."""
        return [*self.app_types, OTHER_APP_TYPE]

    def app_type(self, slug: str) -> AppType | None:
        """The NPI entry of one of the 39 types; None for `other`, which has none."""
        if slug == OTHER_APP_TYPE:
            return None
        return self.app_types[slug]

    def entry(self, entry_id: str) -> LawEntry:
        return self.entries[entry_id]

    def resolves(self, entry_id: str) -> bool:
        return entry_id in self.entries

    def in_force_at(self, citations: Iterable[str], day: date | None) -> tuple[str, ...]:
        """The citations whose instrument was in force on `day` (None: today's law), in their order."""
        return tuple(c for c in citations if self.entries[c].in_force.window.covers(day))


@cache
def load_catalog() -> Catalog:
    """Loads and validates the shipped catalog once per process."""
    taxonomy = Taxonomy.model_validate(_read("consentgate-taxonomy.yaml"))
    npi_raw = _read("necessary-pi-scope.yaml")
    app_types = _app_types(npi_raw, taxonomy)
    categories = [
        DataCategory(
            id=cid,
            label=Text(zh=c.zh, en=c.en),
            sensitive=c.sensitive,
            incidental=c.incidental,
            sources=c.sources,
        )
        for cid, c in taxonomy.categories.items()
    ]
    windows = load_windows(_read)
    npi = _NpiSource(
        raw=npi_raw, slugs={int(t["id"]): t for t in npi_raw["app_types"]}, in_force=windows["NPI"]
    )
    entries = [
        *(e for statute in _STATUTES for e in _statute_entries(statute, windows[statute.instrument.value])),
        *_standards_entries(windows),
        *_avim_entries(windows["AVIM"]),
        *_npi_entries(npi, app_types),
        *miit_entries(_read("miit-notices.yaml"), windows),
        *pre_pipl_entries(_read("pre-pipl-laws.yaml"), windows),
    ]
    catalog = Catalog(entries, app_types, categories)
    check_category_sources(catalog)
    return catalog


def check_category_sources(catalog: Catalog) -> None:
    """A category's source is cited to people (`consentgate law categories`): it must be in the catalog."""
    for category in catalog.categories.values():
        unknown = [s for s in category.sources if not catalog.resolves(s)]
        if unknown:
            raise ValueError(f"category {category.id} names sources not in the law catalog: {unknown}")
