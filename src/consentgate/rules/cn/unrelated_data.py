"""Rule 18: data that no purpose uses — collected without a function it serves (AVIM 4.1, PIPL 6).

An item counts as used when a purpose lists it, or when it is a source of a derived item that is
used (building a profile tag is a use). An unused item collected on an onboarding screen is
reported at each field that asks for it — that is where the collection happens; other unused
items are reported at their declaration. A manifest that does not write `purposes` at all says
nothing about what its data is used for, so nothing is reported as unused there; `purposes: []`
states that there are none.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text


def used_data(manifest: Manifest) -> set[str]:
    """Ids that some purpose uses, directly or as a source of a used derived item (transitively)."""
    used = {data_id for purpose in manifest.purposes for data_id in purpose.data}
    sources = {item.id: item.derived_from for item in manifest.data}
    pending = list(used)
    while pending:
        for source in sources.get(pending.pop(), []):
            if source not in used:
                used.add(source)
                pending.append(source)
    return used


class UnrelatedData(Rule):
    id = "CG-AVIM-041-UNRELATED-DATA"
    severity = Severity.MEDIUM
    title = Text(
        zh="收集的个人信息与任何业务功能无关",
        en="Personal information collected that no business function uses",
    )
    remediation = Text(
        zh="停止收集并删除未用于任何目的的数据；若确有用途，在 purposes 中写明该目的及其合法性基础。",
        en="Stop collecting and delete data that serves no purpose; if it is used, declare the purpose "
        "and its basis under `purposes`.",
    )
    citations = ("AVIM-4.1", "PIPL-6")
    rationale = Text(
        zh="违反最小必要原则，但数据未被用于任何处理目的，尚未构成法院认定的违法使用。",
        en="A breach of the minimum-necessity principle; the data is not used for any purpose, so it is not "
        "yet the unlawful use a court would sanction.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if not manifest.states("purposes"):
            if manifest.data:
                yield Unknown(pointer("purposes"), "purposes")
            return
        used = used_data(manifest)
        collected_on_screen: set[str] = set()
        for screen in manifest.onboarding:
            for index, field in enumerate(screen.fields):
                if field.data in used:
                    continue
                collected_on_screen.add(field.data)
                yield Hit(
                    pointer=pointer("onboarding", screen.id, "fields", index),
                    message=Text(
                        zh=f"界面“{screen.id}”收集“{field.data}”，但没有任何处理目的使用它。",
                        en=f"Screen '{screen.id}' collects '{field.data}', but no purpose uses it.",
                    ),
                    data=(field.data,),
                )
        for item in manifest.data:
            if item.id in used or item.id in collected_on_screen:
                continue
            yield Hit(
                pointer=pointer("data", item.id),
                message=Text(
                    zh=f"数据项“{item.id}”（{item.category}）没有被任何处理目的使用。",
                    en=f"Data item '{item.id}' ({item.category}) is used by no purpose.",
                ),
                data=(item.id,),
            )
