"""How sure a rule's sources are, said in its findings: a finding that rests on a draft must say so.

Reports print a finding's citations as ids; a reader must not take `MIIT-2023-26.pi.1` (the draft's
wording) or an excerpt of the identification method for the official text, so the message says it.
Likewise a clause dated by a day the reference could not confirm (the General Provisions of the Civil
Law took effect on 2017-10-01 by no source read): the engine adds `date_note` to findings citing it.
"""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.law._miit import status_words
from consentgate.law.catalog import load_catalog
from consentgate.text import Text

_NOT_VERIFIED = Text(zh="原文未核实", en="text not verified")
# The identification method's own word for the items a secondary note quoted (its `verification`).
_EXCERPT = Text(zh="二手资料摘录，可能有删节", en="excerpt quoted by a secondary source")
_DATE_NOT_VERIFIED = Text(zh="施行日期未经核实", en="date of entry into force not verified")


def status_note(citations: Iterable[str]) -> Text:
    """`（依据说明：MIIT-2023-26.pi.1 为征求意见稿原文，非最终文本）`, or empty when all were read verbatim."""
    catalog = load_catalog()
    notes = []
    for citation in citations:
        entry = catalog.entry(citation)
        if entry.verified:
            continue
        excerpt = _EXCERPT if entry.verification.startswith("excerpt") else None
        words = status_words(entry.verification) or excerpt or _NOT_VERIFIED
        notes.append(Text(zh=f"{citation}：{words.zh}", en=f"{citation}: {words.en}"))
    if not notes:
        return Text(zh="", en="")
    return Text(
        zh=f"（所引依据的核实状态——{'；'.join(n.zh for n in notes)}）",
        en=f" (status of the sources cited — {'; '.join(n.en for n in notes)})",
    )


def date_note(citations: Iterable[str]) -> Text:
    """`（所引依据的施行日期未经核实：GPCL-111）`, or empty when every cited clause's dates were read.

    A finding is reported because its clauses were in force on the day of the conduct; where that
    rests on an unconfirmed date, the reader must know it.
    """
    catalog = load_catalog()
    unsure = [c for c in citations if not catalog.entry(c).in_force.verified]
    if not unsure:
        return Text(zh="", en="")
    return Text(
        zh=f"（{_DATE_NOT_VERIFIED.zh}：{'、'.join(unsure)}）",
        en=f" ({_DATE_NOT_VERIFIED.en}: {', '.join(unsure)})",
    )
