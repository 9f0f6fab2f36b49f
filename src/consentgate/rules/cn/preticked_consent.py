"""Rule 6: consent by default — a box already ticked, or conduct read as agreement.

The seed defendant argued "罗某通过自己主动作出的行为同意了某科技公司的收集行为" (filling the form in
was consent); the court rejected it. PIPL 14 requires a clear, affirmative act, and AVIM 3.4
names default-agree as a non-express way of asking.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Implied, Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity
from consentgate.text import Text

_IMPLIED = {
    Implied.CONTINUED_USE: Text(zh="继续使用即视为同意", en="continuing to use the app counts as consent"),
    Implied.FILLING_IN: Text(zh="主动填写即视为同意", en="filling the information in counts as consent"),
}


class PretickedConsent(Rule):
    id = "CG-AVIM-034-PRETICKED-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="以默认勾选或推定等非明示方式取得同意",
        en="Consent taken by default: pre-ticked boxes or conduct read as agreement",
    )
    remediation = Text(
        zh="同意框一律默认不勾选，由用户主动勾选或点击“同意”；不得把继续使用、填写信息等行为推定为同意。",
        en="Leave every consent box unticked so the person ticks it or taps 'agree' themself; never "
        "treat continued use or filling in a form as consent.",
    )
    citations = ("AVIM-3.4", "PIPL-14")
    rationale = Text(
        zh="默认或推定的同意不是明确的意思表示，法院不认可，相关处理即无同意基础。",
        en="Default or implied consent is not a clear indication of wishes; courts reject it, leaving "
        "the processing without consent.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit]:
        for screen in manifest.onboarding:
            for index, box in enumerate(screen.consent_boxes):
                if box.pre_ticked:
                    yield Hit(
                        pointer=pointer("onboarding", screen.id, "consent_boxes", index, "pre_ticked"),
                        message=Text(
                            zh=f"界面“{screen.id}”的同意框（{'、'.join(box.purposes)}）默认已勾选。",
                            en=f"The consent box on screen '{screen.id}' ({', '.join(box.purposes)}) "
                            "is ticked by default.",
                        ),
                    )
        if manifest.consent.pre_ticked:
            yield Hit(
                pointer=pointer("consent", "pre_ticked"),
                message=Text(
                    zh="同意选项默认处于勾选状态。",
                    en="Consent options are ticked by default.",
                ),
            )
        implied = _IMPLIED.get(manifest.consent.implied)
        if implied is not None:
            yield Hit(
                pointer=pointer("consent", "implied"),
                message=Text(
                    zh=f"以“{implied.zh}”代替明示同意。",
                    en=f"Consent is inferred: {implied.en}, instead of being given expressly.",
                ),
            )
