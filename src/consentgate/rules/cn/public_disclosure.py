"""Issue 13: personal information made public without separate consent.

PIPL 25: "个人信息处理者不得公开其处理的个人信息，取得个人单独同意的除外". A purpose whose
`disclosure.audience` is `public` shows data to anyone; it needs separate consent unless it rests on a
basis that needs no consent at all (PIPL 13 para 2: contract necessity as the court read it, a legal
duty, news reporting, information already lawfully public). Showing data to a circle of other users is
not judged here: the reference texts do not say whether that is 公开. Whether it is shown by default is
CG-AVIM-034-VISIBLE-BY-DEFAULT's question.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Audience, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import needs_no_consent
from consentgate.rules.personal import personal_ids
from consentgate.text import Text


class PublicWithoutSeparateConsent(Rule):
    id = "CG-PIPL-025-PUBLIC-WITHOUT-SEPARATE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="公开个人信息未取得单独同意",
        en="Personal information made public without separate consent",
    )
    remediation = Text(
        zh="公开展示前就该公开单独征得同意（basis: separate-consent），告知公开哪些信息、向谁公开；"
        "或改为仅向个人选定的范围展示。",
        en="Before showing it publicly, obtain separate consent for making it public (basis: "
        "separate-consent), saying what is shown and to whom; or show it only to a circle the person chooses.",
    )
    citations = ("PIPL-25", "PIPL-13")
    rationale = Text(
        zh="公开后任何人都可获取、转载，无法收回；法律因此要求单独同意。",
        en="Once public, anyone can take and repost the information and it cannot be recalled, which is "
        "why the law requires separate consent.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            disclosure = purpose.disclosure
            if disclosure is None:
                continue
            if disclosure.audience is None:
                yield Unknown(
                    pointer("purposes", purpose.id, "disclosure", "audience"),
                    f"purposes[{purpose.id}].disclosure.audience",
                )
            elif disclosure.audience is Audience.PUBLIC:
                yield from _public(purpose, personal_ids(manifest, purpose.disclosed_data))


def _public(purpose: Purpose, shown: list[str]) -> Iterator[Hit | Unknown]:
    if purpose.data and not shown:
        return  # only anonymised data is shown: not personal information (PIPL 4)
    if purpose.basis is None:
        yield Unknown(pointer("purposes", purpose.id, "basis"), f"purposes[{purpose.id}].basis")
        return
    if purpose.basis.is_separate or needs_no_consent(purpose):
        return
    yield Hit(
        pointer=pointer("purposes", purpose.id, "disclosure"),
        message=Text(
            zh=f"目的“{purpose.id}”向公众公开{'、'.join(shown) or '其处理的个人信息'}，"
            f"合法性基础为“{purpose.basis.value}”，而非单独同意。",
            en=f"Purpose '{purpose.id}' makes {', '.join(shown) or 'the personal information it processes'} "
            f"public on '{purpose.basis.value}', not on separate consent.",
        ),
        data=tuple(shown),
        purpose=purpose.id,
    )
