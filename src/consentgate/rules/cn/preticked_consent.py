"""Rule 6: consent by default — a box already ticked, or conduct read as agreement.

The seed defendant argued "罗某通过自己主动作出的行为同意了某科技公司的收集行为" (filling the form in
was consent); the court rejected it. PIPL 14 requires a clear, affirmative act, and AVIM 3.4
names default-agree as a non-express way of asking.

Stated means: `consent.pre_ticked` true or false, which also speaks for every consent box on the
onboarding screens that does not state its own `pre_ticked` (a box's own value wins); and
`consent.implied` (`none` states that no conduct is read as consent). A box whose tick neither it nor
`consent.pre_ticked` states, or a manifest that describes no box and says nothing, is unconfirmed —
unless no purpose needs consent and no box exists: then how consent is asked is moot.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import ConsentBox, Implied, Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.reliance import may_ask_consent
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

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        consent = manifest.consent
        boxes = 0
        for screen in manifest.onboarding:
            for index, box in enumerate(screen.consent_boxes):
                boxes += 1
                at = pointer("onboarding", screen.id, "consent_boxes", index, "pre_ticked")
                if box.pre_ticked is None and consent.pre_ticked is None:
                    yield Unknown(at, f"onboarding[{screen.id}].consent_boxes[{index}].pre_ticked")
                elif box.pre_ticked:  # ticked by the manifest-wide default is consent.pre_ticked's hit
                    yield Hit(
                        pointer=at,
                        message=Text(
                            zh=f"界面“{screen.id}”的同意框（{'、'.join(box.purposes)}）默认已勾选。",
                            en=f"The consent box on screen '{screen.id}' ({', '.join(box.purposes)}) "
                            "is ticked by default.",
                        ),
                        data=_data(manifest, box),
                        purpose=box.purposes[0] if len(box.purposes) == 1 else None,
                    )
        asks = may_ask_consent(manifest)
        if consent.pre_ticked is None:
            if not boxes and asks:
                yield Unknown(pointer("consent", "pre_ticked"), "consent.pre_ticked")
        elif consent.pre_ticked:
            yield Hit(
                pointer=pointer("consent", "pre_ticked"),
                message=Text(
                    zh="同意选项默认处于勾选状态。",
                    en="Consent options are ticked by default.",
                ),
            )
        if consent.implied is None:
            if asks:
                yield Unknown(pointer("consent", "implied"), "consent.implied")
            return
        implied = _IMPLIED.get(consent.implied)
        if implied is not None:
            yield Hit(
                pointer=pointer("consent", "implied"),
                message=Text(
                    zh=f"以“{implied.zh}”代替明示同意。",
                    en=f"Consent is inferred: {implied.en}, instead of being given expressly.",
                ),
            )


def _data(manifest: Manifest, box: ConsentBox) -> tuple[str, ...]:
    """The data items the box's purposes process, each once."""
    purposes = (manifest.purposes_by_id.get(p) for p in box.purposes)
    return tuple(dict.fromkeys(d for p in purposes if p is not None for d in p.data))
