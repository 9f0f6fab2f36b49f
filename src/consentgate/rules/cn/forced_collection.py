"""Rule 1: non-necessary data required before the home screen, with no skip or refuse.

This is the seed case's central holding: a questionnaire with no 跳过/拒绝 that is the only way
to reach the home page makes consent forced and invalid.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, ScreenAction
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.rules.facts import is_necessary
from consentgate.text import Text

_WAYS_AROUND = {ScreenAction.SKIP, ScreenAction.REFUSE}


class ForcedCollection(Rule):
    id = "CG-PIPL-016-FORCED-COLLECTION"
    severity = Severity.HIGH
    title = Text(
        zh="强制收集非必要个人信息：不填写就无法进入首页",
        en="Non-necessary personal information is forced: no way to the home screen without it",
    )
    remediation = Text(
        zh="将该字段改为选填，并在该界面提供“跳过”和“拒绝/不提供”选项；拒绝后仍应进入首页使用基本功能。",
        en="Make the field optional and offer 'skip' and 'refuse / don't provide' on the screen; "
        "refusing must still lead to the home screen and the basic function.",
    )
    citations = ("PIPL-16", "CIVIL-1035", "AVIM-4.2", "NPI-article-4")
    rationale = Text(
        zh="法院据此认定同意无效、构成侵权，属最严重的一类。",
        en="The court held exactly this to make consent invalid and the collection unlawful.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        for screen in manifest.onboarding:
            if not screen.blocks_home:
                continue
            no_way_around = not (_WAYS_AROUND & set(screen.actions))
            for index, field in enumerate(screen.fields):
                item = manifest.data_item(field.data)
                if is_necessary(manifest, item) or not (field.required or no_way_around):
                    continue
                how = (
                    Text(zh="为必填项", en="is required")
                    if field.required
                    else Text(zh="所在界面没有跳过或拒绝选项", en="sits on a screen with no skip or refuse")
                )
                yield Hit(
                    pointer=pointer("onboarding", screen.id, "fields", index),
                    message=Text(
                        zh=f"界面“{screen.id}”中的“{item.id}”（{item.category}）不属于必要个人信息，"
                        f"却{how.zh}，不提供就无法进入首页。",
                        en=f"'{item.id}' ({item.category}) on screen '{screen.id}' is not necessary "
                        f"personal information but {how.en}, so the home screen cannot be reached without it.",
                    ),
                )
