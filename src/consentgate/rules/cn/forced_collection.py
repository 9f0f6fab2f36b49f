"""Rule 1: non-necessary data required before the home screen, with no skip or refuse.

This is the seed case's central holding: a questionnaire with no 跳过/拒绝 that is the only way
to reach the home page makes consent forced and invalid. It holds whatever basis the purpose claims
(consent included): a field that must be filled in to get past a screen before the home screen, the
login among them, is a condition of use (PIPL 16), so the data it asks for is judged against the
basic service's necessary PI — the 39-type provisions, or for a service outside them the operator's
own statement (`rules.necessity`), which the finding then says.

A field is forced where it is required, or where its screen offers no skip or refuse. Each of the
facts that decides it — necessity, `blocks_home`, `required`, the screen's `actions` — may be
unstated; the rule then names those it needed instead of concluding.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, Screen, ScreenField
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import any_of, field_purpose, screen_fact, way_around
from consentgate.rules.necessity import NecessaryScope, necessary_data_unknown, necessary_scope, necessity
from consentgate.text import Text


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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        scope = necessary_scope(manifest)
        for screen in manifest.onboarding:
            for index, field in enumerate(screen.fields):
                yield from self._field(manifest, scope, screen, index, field)

    def _field(
        self, manifest: Manifest, scope: NecessaryScope, screen: Screen, index: int, field: ScreenField
    ) -> Iterator[Hit | Unknown]:
        item = manifest.data_item(field.data)
        necessary = necessity(manifest, item, scope)
        way = way_around(screen)
        forced = any_of(field.required, None if way is None else not way)
        if necessary is True or screen.blocks_home is False or forced is False:
            return
        if necessary is None or screen.blocks_home is None or forced is None:
            if necessary is None:
                yield necessary_data_unknown()
            if screen.blocks_home is None:
                yield screen_fact(screen, "blocks_home")
            if forced is None and field.required is None:
                yield screen_fact(screen, "fields", index, "required")
            if forced is None and way is None:
                yield screen_fact(screen, "actions")
            return
        how = (
            Text(zh="为必填项", en="is required")
            if field.required
            else Text(zh="所在界面没有跳过或拒绝选项", en="sits on a screen with no skip or refuse")
        )
        yield Hit(
            pointer=pointer("onboarding", screen.id, "fields", index),
            message=Text(
                zh=f"界面“{screen.id}”中的“{item.id}”（{item.category}）不属于{scope.service.zh}的必要个人信息，"
                f"却{how.zh}，不提供就无法进入首页{scope.note.zh}。",
                en=f"'{item.id}' ({item.category}) on screen '{screen.id}' is not necessary personal "
                f"information of {scope.service.en} but {how.en}, so the home screen cannot be reached "
                f"without it{scope.note.en}.",
            ),
            citations=scope.citations,
            only=scope.own_clauses(self.citations),
            data=(item.id,),
            purpose=field_purpose(manifest, field),
        )
