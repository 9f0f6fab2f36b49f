"""Drift: personal information collected that the app's own declared rules do not cover (AVIM 3.3, 3.9).

With `consentgate observe --against app.yaml`, inference writes what it saw into the declared manifest:
observed collections land in `conduct.collections`, data items the declaration lacks are added to
`data`. A collected item no declared purpose uses was collected beyond what the notice and the consent
built from the design could cover. Without a declaration (`purposes` unstated) the check stays
unconfirmed: an observation alone has no design to drift from.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at
from consentgate.text import Text


class CollectedBeyondDeclared(Rule):
    id = "CG-AVIM-039-COLLECTED-BEYOND-DECLARED"
    severity = Severity.HIGH
    title = Text(
        zh="实际收集的个人信息超出所声明的收集使用规则",
        en="Personal information collected beyond the app's declared rules",
    )
    remediation = Text(
        zh="停止收集未声明的信息，或在清单与隐私政策中写明其目的并重新征得同意。",
        en="Stop collecting what is not declared, or declare its purpose in the manifest and notice and ask "
        "for consent again.",
    )
    citations = ("AVIM-3.9", "AVIM-3.3", "PIPL-14")
    rationale = Text(
        zh="违反自身声明的规则收集，同意不及于此，属未经同意收集。",
        en="What the declared rules do not cover the consent does not cover: collection without consent.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None or not manifest.conduct.collections:
            return
        if not manifest.states("purposes"):
            yield Unknown(pointer("purposes"), "purposes")
            return
        note = status_note(self.citations)
        for index, collection in enumerate(manifest.conduct.collections):
            beyond = [d for d in collection.data if not manifest.purposes_using(d)]
            if not beyond:
                continue
            yield Hit(
                pointer=record_at("collections", collection, index, "data"),
                message=Text(
                    zh=f"收集记录{named(collection, index).zh}：{'、'.join(beyond)}不属于任何已声明目的，"
                    f"超出了所声明的收集使用规则。{note.zh}",
                    en=f"Collection {named(collection, index).en}: {', '.join(beyond)} is used by no declared "
                    f"purpose, beyond the declared rules.{note.en}",
                ),
                data=tuple(beyond),
            )
