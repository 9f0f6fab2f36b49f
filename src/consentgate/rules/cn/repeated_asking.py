"""Rule 17: asking again after a refusal, too soon (AVIM 3.2 "频繁征求用户同意").

AVIM 3.2 names no interval. We treat asking again within 48 hours of a refusal, or with no
minimum interval at all, as "frequent". 48 hours is a project threshold in line with the
interval commonly cited from MIIT's app-rectification campaigns for repeated permission prompts;
that source is not in the law catalog, so the rule cites only AVIM 3.2 and keeps the number in
one constant.

Stated means `ask_again.after_refusal` true or false and, where true, `min_interval_hours`:
`0` states there is no minimum interval (asked again at every launch); leaving it out is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.reliance import may_ask_consent
from consentgate.text import Text

MIN_INTERVAL_HOURS = 48.0


class RepeatedAsking(Rule):
    id = "CG-AVIM-032-REPEATED-ASKING"
    severity = Severity.MEDIUM
    title = Text(
        zh="用户拒绝后频繁征求同意，干扰正常使用",
        en="Asking again too often after the user refused consent",
    )
    remediation = Text(
        zh=f"用户拒绝后至少 {MIN_INTERVAL_HOURS:.0f} 小时内不再询问，且仅在用户主动使用相关功能时再询问。",
        en=f"After a refusal, do not ask again for at least {MIN_INTERVAL_HOURS:.0f} hours, and then only "
        "when the user turns to the function that needs it.",
    )
    citations = ("AVIM-3.2",)
    rationale = Text(
        zh=f"频繁询问干扰使用但本身不产生处理，属于义务违反而非违法处理；"
        f"“频繁”以 {MIN_INTERVAL_HOURS:.0f} 小时为界，是本项目参照 App 整治实践选定的阈值。",
        en=f"Nagging interferes with use but processes nothing by itself: a breach of duty, not unlawful "
        f"processing. 'Frequent' means under {MIN_INTERVAL_HOURS:.0f} hours, a project threshold "
        "following app-rectification practice.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        ask_again = manifest.consent.ask_again
        if ask_again.after_refusal is None:
            if not may_ask_consent(manifest):
                return  # nothing is asked, so nothing is asked again
            yield Unknown(pointer("consent", "ask_again", "after_refusal"), "consent.ask_again.after_refusal")
            return
        if not ask_again.after_refusal:
            return
        hours = ask_again.min_interval_hours
        if hours is None:
            yield Unknown(
                pointer("consent", "ask_again", "min_interval_hours"), "consent.ask_again.min_interval_hours"
            )
        elif hours == 0:
            yield Hit(
                pointer=pointer("consent", "ask_again", "after_refusal"),
                message=Text(
                    zh="用户拒绝后会再次征求同意，且没有设定最短间隔。",
                    en="The app asks again after a refusal with no minimum interval.",
                ),
            )
        elif hours < MIN_INTERVAL_HOURS:
            yield Hit(
                pointer=pointer("consent", "ask_again", "min_interval_hours"),
                message=Text(
                    zh=f"用户拒绝后 {hours:g} 小时即再次征求同意，短于 {MIN_INTERVAL_HOURS:.0f} 小时。",
                    en=f"The app asks again {hours:g} hours after a refusal, "
                    f"sooner than {MIN_INTERVAL_HOURS:.0f} hours.",
                ),
            )
