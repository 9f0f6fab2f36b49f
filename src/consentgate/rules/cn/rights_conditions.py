"""Rule 14b: conditions set on correcting, deleting or cancelling (AVIM 6.2).

`conditions` in a right lists what the operator demands beyond verifying that the request comes
from the person (e.g. "clear the balance first", "upload a hand-held ID photo"). Each listed
condition is a hit; one that really is necessary is kept with a suppression and its reason,
so the judgement stays visible in the report. `conditions: []` states that there are none; a right
that leaves `conditions` out is unknown there, and one the manifest does not describe is rule 14's
to report.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn.rights_channels import RIGHT_ACTIONS
from consentgate.text import Text


class RightsConditions(Rule):
    id = "CG-AVIM-062-RIGHTS-CONDITIONS"
    severity = Severity.MEDIUM
    title = Text(
        zh="为行使个人信息权利设置不必要或不合理的条件",
        en="Unnecessary or unreasonable conditions set on exercising personal-information rights",
    )
    remediation = Text(
        zh="除核验申请人身份外，不要为更正、删除、注销等设置条件；确有必要的条件，请以 suppression 写明理由。",
        en="Beyond verifying who is asking, set no conditions on correction, deletion or account "
        "cancellation; record any truly necessary one as a suppression with its reason.",
    )
    citations = ("AVIM-6.2", "PIPL-50")
    rationale = Text(
        zh="条件阻碍但不取消权利的行使，属于未尽“便捷”义务，本身不使处理违法。",
        en="Conditions hinder rather than remove the right: a breach of the 'convenient' duty that does "
        "not by itself make the processing unlawful.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for name, right in manifest.rights.by_name().items():
            if right is None or not right.available:
                continue
            if right.conditions is None:
                yield Unknown(pointer("rights", name, "conditions"), f"rights.{name}.conditions")
                continue
            for index, condition in enumerate(right.conditions):
                yield Hit(
                    pointer=pointer("rights", name, "conditions", index),
                    message=Text(
                        zh=f"{RIGHT_ACTIONS[name].zh}须先满足“{condition}”，可能属于不必要或不合理的条件"
                        f"（rights.{name}）。",
                        en=f"To {RIGHT_ACTIONS[name].en}, people must first meet '{condition}', which may be "
                        f"an unnecessary or unreasonable condition (rights.{name}).",
                    ),
                )
