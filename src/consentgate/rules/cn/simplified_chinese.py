"""Extra: a notice with no Simplified Chinese version (AVIM 1.4).

Accepted language tags: `zh`, `zh-CN`, `zh-SG`, `zh-Hans` and longer tags that start with
`zh-Hans` (case-insensitive, `_` or `-`). `zh-TW`, `zh-HK` and `zh-Hant` are Traditional Chinese.
A notice that does not state its `languages` leaves the check unconfirmed: Chinese is not assumed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text

_SIMPLIFIED = {"zh", "zh-cn", "zh-sg", "zh-hans"}


def is_simplified_chinese(tag: str) -> bool:
    normal = tag.strip().lower().replace("_", "-")
    return normal in _SIMPLIFIED or normal.startswith("zh-hans-")


class NoSimplifiedChinese(Rule):
    id = "CG-AVIM-014-NO-SIMPLIFIED-CHINESE"
    severity = Severity.LOW
    title = Text(
        zh="隐私政策等收集使用规则未提供简体中文版",
        en="Privacy notice not available in Simplified Chinese",
    )
    remediation = Text(
        zh="为每份告知文本提供简体中文版本，并在 languages 中列出 zh。",
        en="Provide every notice in Simplified Chinese and list `zh` under `languages`.",
    )
    citations = ("AVIM-1.4",)
    rationale = Text(
        zh="属于告知的形式与可读性问题。",
        en="A matter of the notice's form and readability.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for notice in manifest.notices:
            if notice.languages is None:
                yield Unknown(pointer("notices", notice.id, "languages"), f"notices[{notice.id}].languages")
                continue
            if any(is_simplified_chinese(lang) for lang in notice.languages):
                continue
            listed = ", ".join(notice.languages) or "-"
            yield Hit(
                pointer=pointer("notices", notice.id, "languages"),
                message=Text(
                    zh=f"告知文本“{notice.id}”仅提供 {listed} 版本，没有简体中文版。",
                    en=f"Notice '{notice.id}' is available only in {listed}, not in Simplified Chinese.",
                ),
            )
