"""Indexes `miit-notices.yaml` (MIIT notices and the TC260 SDK guide) under stable catalog ids.

Most of this text is a draft for comment or a news paraphrase, not a final official wording. A
reader who sees `MIIT-2023-26.pi.1` cited must see that at once, so each heading ends with the
clause's status in words and `verification` keeps the file's own note unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from consentgate.law.models import InForce, Instrument, LawEntry
from consentgate.text import Text

Raw = Mapping[str, Any]

# The file's document id -> the catalog prefix (short, and stable once cited).
DOCUMENT_IDS = {
    "MIIT-2023-26": "MIIT-2023-26",
    "MIIT-2020-164": "MIIT-2020-164",
    "MIIT-2019-campaign": "MIIT-2019-campaign",
    "MIIT-2021-draft-interim-provisions": "MIIT-2021-draft",
    "TC260-PG-20205A": "TC260-PG-20205A",
}

# How the file's `legend` names a status (the start of `verification`), in words for the heading.
_STATUS = (
    ("draft-verbatim", Text(zh="征求意见稿原文，非最终文本", en="draft wording, not the final text")),
    ("secondary", Text(zh="二手转述，非文件原文", en="secondary: not the document's wording")),
    ("partial", Text(zh="部分原文", en="partly verbatim")),
    ("name only", Text(zh="仅有名称", en="name only")),
    ("missing", Text(zh="未找到原文", en="text not found")),
)


def status_words(verification: str) -> Text | None:
    """The status of an unverified clause in words; None when the wording was read verbatim."""
    for prefix, words in _STATUS:
        if verification.startswith(prefix):
            return words
    return None


def _heading(zh: str, en: str, verification: str) -> Text:
    words = status_words(verification)
    if words is None:
        return Text(zh=zh, en=en)
    return Text(zh=f"{zh}（{words.zh}）", en=f"{en} ({words.en})")


def _number(document: Raw) -> str | None:
    """`'工信部信管〔2023〕26号 (per the brief; …)'` → the number alone; None when it was not read."""
    raw = str(document.get("document_number") or "")
    number = raw.split(" (", 1)[0].strip()
    return number if number and not number.startswith("not read") else None


def _text(clause: Raw) -> Text | None:
    zh = clause.get("zh") or clause.get("secondary_zh")
    en = clause.get("en")
    if not zh or not en:
        return None
    return Text(zh=str(zh).strip(), en=str(en).strip())


def _sources(keys: list[str], described: Mapping[str, str]) -> tuple[str, ...]:
    """Source keys spelt out as the file describes them (address and what was read there)."""
    return tuple(described.get(str(key), str(key)) for key in keys)


def _instrument(doc_id: str) -> Instrument:
    return Instrument.TC260 if doc_id.startswith("TC260") else Instrument.MIIT


def _document_entry(document: Raw, meta_sources: Mapping[str, str], in_force: InForce) -> LawEntry:
    doc_id = DOCUMENT_IDS[str(document["id"])]
    number = _number(document)
    title = Text(
        zh=f"{document['title_zh']}（{number}）" if number else str(document["title_zh"]),
        en=str(document["title_en"]),
    )
    notes = (
        document.get("document_number"),
        document.get("text_warning") or document.get("status") or document.get("purpose_verification"),
    )
    status = "; ".join(str(n) for n in notes if n) or "see the clauses"
    purpose = (
        Text(zh=str(document["purpose_zh"]).strip(), en=str(document["purpose_en"]).strip())
        if "purpose_zh" in document
        else None
    )
    return LawEntry(
        id=doc_id,
        instrument=_instrument(doc_id),
        instrument_title=title,
        heading=title,
        text=purpose,
        verified=False,
        verification=f"NOT VERIFIED as the document's own text: {status}",
        in_force=in_force,
        sources=_sources(document.get("sources", []), meta_sources),
    )


def _clauses(document: Raw) -> Iterator[tuple[str, Text, Raw]]:
    """(catalog suffix, heading label, clause) for each citable unit of a document."""
    doc_id = str(document["id"])
    for clause in document.get("clauses", []):
        clause_id = str(clause["id"])
        suffix = clause_id.removeprefix("26.") if doc_id == "MIIT-2023-26" else clause_id
        yield suffix, Text(zh=clause_id, en=f"clause {clause_id}"), clause
    for area in document.get("areas", []):
        verification = str(document.get("areas_verification", "secondary"))
        label = Text(zh=f"整治方面{area['area']}", en=f"area {area['area']}")
        yield f"area.{area['area']}", label, {**area, "verification": verification}
    items = document.get("items")
    for item in items if isinstance(items, list) else []:
        yield str(item["id"]), Text(zh=f"问题类型{item['id']}", en=f"problem type {item['id']}"), item


def miit_entries(raw: Raw, windows: Mapping[str, InForce]) -> Iterator[LawEntry]:
    """Every document of the file, then each of its clauses, areas or items, as catalog entries.

    `windows` dates each document by its catalog id (`in-force.yaml`); its clauses share it.
    """
    meta_sources: Mapping[str, str] = raw["meta"].get("sources", {})
    for document in raw["documents"]:
        parent = _document_entry(document, meta_sources, windows[DOCUMENT_IDS[str(document["id"])]])
        yield parent
        short = _number(document) or str(document["title_zh"])
        for suffix, label, clause in _clauses(document):
            verification = str(clause.get("verification", "missing"))
            topic = clause.get("topic")
            yield LawEntry(
                id=f"{parent.id}.{suffix}",
                instrument=parent.instrument,
                instrument_title=parent.instrument_title,
                heading=_heading(
                    f"{short} {label.zh}",
                    f"{parent.id} {label.en}" + (f" — {topic}" if topic else ""),
                    verification,
                ),
                text=_text(clause),
                verified=verification.startswith("verbatim"),
                verification=verification,
                in_force=parent.in_force,
                sources=_sources(clause.get("sources", document.get("sources", [])), meta_sources),
                parent=parent.id,
            )
