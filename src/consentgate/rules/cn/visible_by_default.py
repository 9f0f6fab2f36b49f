"""Issue 13: personal information shown to other people by default, on consent nobody gave.

A visibility setting that starts "on" (a profile, a location or an "IP属地" label visible to others until
the person turns it off) is a default-agree: AVIM 3.4 names "默认选择同意…等非明示方式" as a way of
asking that is not express, and PIPL 14 wants consent given explicitly. Where the showing rests on
consent (or on nothing), a default-on setting means nobody agreed. Showing to the public is the graver
form (PIPL 25 needs separate consent for it); showing to a circle of other users the milder. A basis
that needs no consent (contract necessity as the court read it, a legal duty) is not about consent, so
the default is not judged there.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Audience, Basis, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import needs_no_consent
from consentgate.rules.personal import personal_ids
from consentgate.text import Text

_AUDIENCE = {
    Audience.PUBLIC: Text(zh="公众", en="the public"),
    Audience.OTHER_USERS: Text(zh="其他用户", en="other users"),
}
_PUBLIC_CLAUSES = ("AVIM-3.4", "PIPL-14", "PIPL-25")
_OTHER_USERS_CLAUSES = ("AVIM-3.4", "PIPL-14")


class VisibleByDefault(Rule):
    id = "CG-AVIM-034-VISIBLE-BY-DEFAULT"
    severity = Severity.HIGH
    title = Text(
        zh="默认向他人或公众展示个人信息，以默认开启代替同意",
        en="Personal information shown to others by default: a setting that starts on instead of consent",
    )
    remediation = Text(
        zh="展示给他人的设置一律默认关闭，由个人主动开启（disclosure.default_visible: false）；"
        "向公众公开的，开启前还须单独同意。",
        en="Start every setting that shows data to others switched off and let the person turn it on "
        "(disclosure.default_visible: false); making it public also needs separate consent first.",
    )
    citations = _PUBLIC_CLAUSES
    rationale = Text(
        zh="默认开启等同于默认勾选，不是明示同意；向公众公开无法收回，为最严重形式，"
        "向部分其他用户展示为较轻形式（中等）。",
        en="A setting that starts on is a pre-ticked box, not express consent. Public showing cannot be "
        "recalled and is the gravest form; showing to a circle of other users is the milder one (medium).",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            disclosure = purpose.disclosure
            shown = personal_ids(manifest, purpose.disclosed_data)
            if disclosure is None or needs_no_consent(purpose) or (purpose.data and not shown):
                continue  # no showing, no consent involved, or only anonymised data shown (PIPL 4)
            at = ("purposes", purpose.id, "disclosure", "default_visible")
            if disclosure.default_visible is None:
                yield Unknown(pointer(*at), f"purposes[{purpose.id}].disclosure.default_visible")
            elif disclosure.default_visible is False:
                continue
            elif purpose.basis is None:
                yield Unknown(pointer("purposes", purpose.id, "basis"), f"purposes[{purpose.id}].basis")
            else:
                yield _hit(purpose, shown, pointer(*at))


def _hit(purpose: Purpose, shown: list[str], at: str) -> Hit:
    assert purpose.disclosure is not None and purpose.basis is not None
    public = purpose.disclosure.audience is Audience.PUBLIC
    # An unstated audience is read as the milder one: the audience rule names it as unknown.
    audience = _AUDIENCE[Audience.PUBLIC if public else Audience.OTHER_USERS]
    basis = purpose.basis.value
    claimed = (
        Text(zh="该目的没有任何合法性基础。", en="the purpose claims no basis at all.")
        if purpose.basis is Basis.NONE
        else Text(
            zh=f"所称的“{basis}”并非个人以任何行为作出。",
            en=f"the '{basis}' it claims was never given by anything the person did.",
        )
    )
    return Hit(
        pointer=at,
        message=Text(
            zh=f"目的“{purpose.id}”默认向{audience.zh}展示{'、'.join(shown) or '其处理的个人信息'}，"
            f"除非个人自行关闭。默认开启的设置不是同意的表示：{claimed.zh}",
            en=f"Purpose '{purpose.id}' shows {', '.join(shown) or 'the personal information it processes'} "
            f"to {audience.en} unless the person turns it off. A setting that starts on is no act of agreeing: "
            f"{claimed.en}",
        ),
        severity=None if public else Severity.MEDIUM,
        only=_PUBLIC_CLAUSES if public else _OTHER_USERS_CLAUSES,
        data=tuple(shown),
        purpose=purpose.id,
    )
