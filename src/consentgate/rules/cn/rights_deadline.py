"""Rule 14c: a promised handling time for a right longer than 15 working days (AVIM 6.3).

AVIM 6.3 itself says that where no time limit is promised, 15 working days applies, so the law
fills that gap and the runtime's deadline clock enforces it: only a promise of more than 15 working
days contradicts the method. But a right that leaves `working_days` out does not say whether the
rules promise nothing or promise 30 days, so the check stays unconfirmed there: state the promised
time, or 15 where the rules promise none (the limit AVIM 6.3 then sets). A right the manifest does
not describe is rule 14's to report.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn.rights_channels import RIGHT_ACTIONS
from consentgate.text import Text

MAX_WORKING_DAYS = 15


class RightsDeadline(Rule):
    id = "CG-AVIM-063-RIGHTS-DEADLINE"
    severity = Severity.MEDIUM
    title = Text(
        zh="行使个人信息权利的承诺处理时限超过 15 个工作日",
        en="Promised handling time for a personal-information right exceeds 15 working days",
    )
    remediation = Text(
        zh=f"将承诺时限缩短至不超过 {MAX_WORKING_DAYS} 个工作日，能自动处理的请即时完成。",
        en=f"Promise at most {MAX_WORKING_DAYS} working days, and complete at once whatever can be automated.",
    )
    citations = ("AVIM-6.3", "PIPL-50")
    rationale = Text(
        zh="超时处理拖延而非否定权利，属于未尽及时处理义务，本身不使处理违法。",
        en="A slow response delays rather than denies the right: a breach of the duty to act in time that "
        "does not by itself make the processing unlawful.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for name, right in manifest.rights.by_name().items():
            if right is None or not right.available:
                continue
            if right.working_days is None:
                yield Unknown(pointer("rights", name, "working_days"), f"rights.{name}.working_days")
            elif right.working_days > MAX_WORKING_DAYS:
                yield Hit(
                    pointer=pointer("rights", name, "working_days"),
                    message=Text(
                        zh=f"{RIGHT_ACTIONS[name].zh}的承诺处理时限为 {right.working_days} 个工作日，"
                        f"超过 {MAX_WORKING_DAYS} 个工作日的上限（rights.{name}）。",
                        en=f"Requests to {RIGHT_ACTIONS[name].en} are promised in {right.working_days} working "
                        f"days, more than the {MAX_WORKING_DAYS}-working-day limit (rights.{name}).",
                    ),
                )
