"""A notice the runtime writes from the manifest, with nothing readable to call a purpose or recipient.

consentgate writes the notice people read from the manifest (`runtime/notice_text.py`), so each
purpose needs a name in every language of the notice, and each recipient a name its readers can
read: otherwise the notice can only call a purpose by its kind, and English readers see a Chinese
company name. PIPL 17 asks for 清晰易懂的语言 and MIIT's 2023 notice (draft wording) for 简洁、清晰、
易懂. Data items need no label: they fall back on their category's label from the taxonomy. A
recipient's `name` serves in Chinese whatever its script, and in English when it has no Chinese
characters. A notice that is never shown is CG-PIPL-017-NO-PRIOR-NOTICE's finding.

The notice's `languages` and `shown` must be stated where a name is missing: without `languages` it
is unknown which names its readers need (a purpose named in Chinese and English needs nothing more),
and without `shown` the notice may be one nobody sees. Such a check stays unconfirmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from consentgate.manifest.models import Label, Manifest, Notice, NoticeTiming, Purpose, Recipient
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.text import Text

_CJK = re.compile(r"[\u3400-\u9fff]")
_LANGS = {"zh": Text(zh="中文", en="Chinese"), "en": Text(zh="英文", en="English")}


@dataclass(frozen=True)
class _Gap:
    """A purpose or recipient, and the notice languages it has no readable name in."""

    pointer: str
    what: Text
    missing: tuple[str, ...]
    purpose: str | None = None


class NoticeLabelsMissing(Rule):
    id = "CG-PIPL-017-NOTICE-LABELS-MISSING"
    severity = Severity.MEDIUM
    title = Text(
        zh="告知文本中的处理目的或接收方缺少用户能看懂的名称",
        en="A purpose or recipient has no name people can read in a language of the notice",
    )
    remediation = Text(
        zh="为告知文本涵盖的每个处理目的写明 label 的 zh（告知提供英文时还有 en），"
        "为每个接收方写明 label（或以该语言可读的 name），用用户能看懂的话说明用途和接收方。",
        en="Give each purpose the notice covers a `label` with `zh` (and `en` when the notice is offered "
        "in English), and each recipient a `label` (or a `name` readable in that language), in words "
        "the people reading the notice understand.",
    )
    citations = ("PIPL-17", "MIIT-2023-26.pi.2")
    rationale = Text(
        zh="缺少中文名称时，告知无法说清处理目的（未充分告知，中等）；只缺英文名称时，中文文本仍完整且为准，"
        "属于形式问题（低）。",
        en="Without a Chinese name the notice cannot say what the purpose is (not told enough: medium); "
        "with only the English name missing the governing Chinese text is complete (form: low).",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        gaps: dict[str, _Gap] = {}
        for notice in manifest.notices:
            if notice.shown is NoticeTiming.NEVER:
                continue
            needed = set(_LANGS) if notice.languages is None else _languages(notice.languages)
            found = list(_gaps(manifest, notice, needed))
            unstated = list(_unstated(notice))
            if found and unstated:  # whether these names are owed depends on what is not stated
                yield from unstated
                continue
            for gap in found:
                known = gaps.get(gap.pointer)
                missing = tuple(dict.fromkeys((*(known.missing if known else ()), *gap.missing)))
                gaps[gap.pointer] = _Gap(gap.pointer, gap.what, missing, gap.purpose)
        note = status_note(self.citations)
        for gap in gaps.values():
            langs = [_LANGS[lang] for lang in gap.missing]
            yield Hit(
                pointer=gap.pointer,
                message=Text(
                    zh=f"{gap.what.zh}没有{'、'.join(t.zh for t in langs)}名称，"
                    f"运行时据清单生成的告知文本无法用用户能看懂的话称呼它。{note.zh}",
                    en=f"{gap.what.en} has no {' or '.join(t.en for t in langs)} name, so the notice the "
                    f"runtime writes from the manifest cannot call it anything people read.{note.en}",
                ),
                severity=None if "zh" in gap.missing else Severity.LOW,
                purpose=gap.purpose,
            )


def _languages(tags: list[str]) -> set[str]:
    return {lang.strip().lower().replace("_", "-").split("-")[0] for lang in tags} & set(_LANGS)


def _unstated(notice: Notice) -> Iterator[Unknown]:
    if notice.shown is None:
        yield Unknown(pointer("notices", notice.id, "shown"), f"notices[{notice.id}].shown")
    if notice.languages is None:
        yield Unknown(pointer("notices", notice.id, "languages"), f"notices[{notice.id}].languages")


def _gaps(manifest: Manifest, notice: Notice, langs: set[str]) -> Iterator[_Gap]:
    """Each purpose and recipient the notice covers that has no readable name in one of `langs`."""
    purposes = [manifest.purpose(p) for p in notice.purposes] or manifest.purposes
    for purpose in purposes:
        missing = tuple(lang for lang in sorted(langs, reverse=True) if not _has(purpose.label, lang))
        if missing:
            yield _Gap(
                _at("purposes", purpose),
                Text(zh=f"处理目的“{purpose.id}”", en=f"Purpose '{purpose.id}'"),
                missing,
                purpose.id,
            )
    recipient_ids = dict.fromkeys(r for p in purposes for r in p.recipients)
    for recipient in map(manifest.recipient, recipient_ids):
        missing = tuple(lang for lang in sorted(langs, reverse=True) if not _readable(recipient, lang))
        if missing:
            yield _Gap(
                _at("recipients", recipient),
                Text(zh=f"接收方“{recipient.name}”", en=f"Recipient '{recipient.name}'"),
                missing,
            )


def _has(label: Label | None, lang: str) -> bool:
    return bool(label is not None and (label.zh if lang == "zh" else label.en))


def _readable(recipient: Recipient, lang: str) -> bool:
    if _has(recipient.label, lang):
        return True
    return lang == "zh" or not _CJK.search(recipient.name)


def _at(section: str, item: Purpose | Recipient) -> str:
    return pointer(section, item.id, "label") if item.label is not None else pointer(section, item.id)
