"""Extra: a notice shown before collection, but not prominently (AVIM 1.2).

Notices never shown, or shown only after collection, are rule 4's business (no prior notice);
this rule looks only at the before-collection notices, whose form is then what matters. Both facts
must be stated: a notice that does not say when it is shown, or whether it is prominent
(`prominent: true` for a pop-up or first screen, `false` for a link people have to find), leaves the
check unconfirmed; a notice stated as shown later, or as prominent, needs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, NoticeTiming
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text


class NoticeNotProminent(Rule):
    id = "CG-AVIM-012-NOTICE-NOT-PROMINENT"
    severity = Severity.MEDIUM
    title = Text(
        zh="首次运行时未以弹窗等明显方式提示用户阅读隐私政策",
        en="Privacy notice not brought to the user's attention conspicuously on first run",
    )
    remediation = Text(
        zh="首次运行时以弹窗等明显方式提示用户阅读隐私政策，不要只放一个不易察觉的链接。",
        en="On first run, prompt the user to read the privacy notice with a pop-up or similarly "
        "conspicuous means, not just an easily missed link.",
    )
    citations = ("AVIM-1.2", "PIPL-17")
    rationale = Text(
        zh="告知确已在收集前提供，但方式不够显著：违反“显著方式”告知义务，本身不使处理违法。",
        en="The notice does come before collection but not conspicuously: a breach of the duty to inform "
        "'in a conspicuous manner' that does not by itself make the processing unlawful.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for notice in manifest.notices:
            if notice.prominent is True or notice.shown not in (None, NoticeTiming.BEFORE_COLLECTION):
                continue
            if notice.shown is None:
                yield Unknown(pointer("notices", notice.id, "shown"), f"notices[{notice.id}].shown")
            if notice.prominent is None:
                yield Unknown(pointer("notices", notice.id, "prominent"), f"notices[{notice.id}].prominent")
            elif notice.shown is NoticeTiming.BEFORE_COLLECTION:
                yield Hit(
                    pointer=pointer("notices", notice.id, "prominent"),
                    message=Text(
                        zh=f"告知文本“{notice.id}”在收集前提供，但没有以弹窗等明显方式提示用户阅读。",
                        en=f"Notice '{notice.id}' comes before collection but is not brought to the user's "
                        "attention by a pop-up or similar conspicuous means.",
                    ),
                )
