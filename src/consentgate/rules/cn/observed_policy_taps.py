"""The privacy policy more than four taps from the main screen (AVIM 1.3: 需多于4次点击).

`notices[].taps_from_main` is counted by `consentgate observe` (or stated by the team): the fewest
taps from the main screen to a screen that shows the notice. Unstated, it is unconfirmed only for a
notice shown on request (a link somewhere): a notice shown as a first-run pop-up is reached by no tap.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, NoticeTiming
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.text import Text

MAX_TAPS = 4


class PolicyTooManyTaps(Rule):
    id = "CG-AVIM-013-POLICY-TOO-MANY-TAPS"
    severity = Severity.MEDIUM
    title = Text(
        zh="隐私政策难以访问：从主界面需多于4次点击",
        en="The privacy policy takes more than four taps from the main screen",
    )
    remediation = Text(
        zh="在主界面或“我的”页面第一层放置隐私政策入口，使其在4次点击内可达。",
        en="Put a link to the privacy policy on the main screen or the first level of the profile page, "
        "within four taps.",
    )
    citations = ("AVIM-1.3", "PIPL-17")
    rationale = Text(
        zh="规则难以访问即未公开收集使用规则；认定方法以4次点击为界，属中等。",
        en="Rules hard to reach count as unpublished; the method draws the line at four taps. Medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        note = status_note(self.citations)
        for notice in manifest.notices:
            at = pointer("notices", notice.id, "taps_from_main")
            if notice.taps_from_main is None:
                if notice.shown is NoticeTiming.ON_REQUEST:  # only a link: how far it is is the question
                    yield Unknown(at, f"notices[{notice.id}].taps_from_main")
            elif notice.taps_from_main > MAX_TAPS:
                yield Hit(
                    pointer=at,
                    message=Text(
                        zh=f"告知文本“{notice.id}”需从主界面点击 {notice.taps_from_main} 次才能访问"
                        f"（上限 {MAX_TAPS} 次）。{note.zh}",
                        en=f"Notice '{notice.id}' takes {notice.taps_from_main} taps from the main screen "
                        f"(at most {MAX_TAPS}).{note.en}",
                    ),
                )
