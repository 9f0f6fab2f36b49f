"""The rules obscure or overlong (AVIM 2.4: 晦涩难懂、冗长繁琐、使用大量专业术语), judged in the open.

Three measures from `observe/readability.py`, each against a threshold stated here and printed in the
finding, so a reader can recount it: the length of the notice, its mean sentence length, and the terms
of the jargon list (`observe/data/jargon.yaml`) it uses. The thresholds are this project's, not the
law's: the method gives none, so the finding is medium and says what it measured. A notice never
measured is passed by; one measured in part is unconfirmed for the measures it lacks.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Notice
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.text import Text

MAX_CHARS = 15_000  # about half an hour's reading of Chinese at 500 characters a minute
MAX_MEAN_SENTENCE = 80  # characters; Chinese plain-language guides aim for well under this
MAX_JARGON = 8  # distinct listed terms


class NoticeHardToRead(Rule):
    id = "CG-AVIM-024-NOTICE-HARD-TO-READ"
    severity = Severity.MEDIUM
    title = Text(zh="收集使用规则冗长或晦涩难懂", en="The privacy notice is overlong or obscure")
    remediation = Text(
        zh="压缩篇幅，拆短句子，术语改用日常说法或当场解释；在首屏提供摘要。",
        en="Shorten it, split long sentences, replace jargon with everyday words or explain it where used; "
        "offer a summary up front.",
    )
    citations = ("AVIM-2.4", "PIPL-17")
    rationale = Text(
        zh="认定方法第2.4项未给出量化标准，本规则的阈值为本项目所定并在结果中列明，故为中等。",
        en="AVIM 2.4 sets no numbers; the thresholds are ours and printed in the finding, hence medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for notice in manifest.notices:
            at = pointer("notices", notice.id, "readability")
            if notice.readability is None:
                continue  # never measured: a design manifest says nothing of it, and is not asked to
            yield from _judge(notice, at, status_note(self.citations))


def _judge(notice: Notice, at: str, note: Text) -> Iterator[Hit | Unknown]:
    measured = notice.readability
    assert measured is not None
    over: list[Text] = []
    if measured.chars is not None and measured.chars > MAX_CHARS:
        over.append(
            Text(
                zh=f"全文 {measured.chars} 字（上限 {MAX_CHARS}）",
                en=f"{measured.chars} characters (limit {MAX_CHARS})",
            )
        )
    mean = measured.mean_sentence_chars
    if mean is not None and mean > MAX_MEAN_SENTENCE:
        over.append(
            Text(
                zh=f"平均句长 {mean:.0f} 字（上限 {MAX_MEAN_SENTENCE}）",
                en=f"mean sentence {mean:.0f} characters (limit {MAX_MEAN_SENTENCE})",
            )
        )
    if measured.jargon is not None and len(measured.jargon) > MAX_JARGON:
        terms = "、".join(measured.jargon)
        over.append(
            Text(
                zh=f"专业术语 {len(measured.jargon)} 个（上限 {MAX_JARGON}）：{terms}",
                en=f"{len(measured.jargon)} jargon terms (limit {MAX_JARGON}): {', '.join(measured.jargon)}",
            )
        )
    if over:
        yield Hit(
            pointer=at,
            message=Text(
                zh=f"告知文本“{notice.id}”难以阅读：{'；'.join(t.zh for t in over)}。{note.zh}",
                en=f"Notice '{notice.id}' is hard to read: {'; '.join(t.en for t in over)}.{note.en}",
            ),
        )
        return
    missing = [
        n
        for n, v in (("chars", measured.chars), ("mean_sentence_chars", mean), ("jargon", measured.jargon))
        if v is None
    ]
    for name in missing:
        yield Unknown(f"{at}/{name}", f"notices[{notice.id}].readability.{name}")
