"""Rule 14: no way to copy, correct or delete personal information, or to cancel the account.

A right counts as missing when the manifest states it so (`copy: none` or `available: false`); a right
it does not mention is unknown, and the check stays unconfirmed. `restrict` is left out on purpose:
PIPL 44 is usually exercised through withdrawal (rule 13).
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text

# What each right lets a person do; shared with the conditions and deadline rules.
RIGHT_ACTIONS: dict[str, Text] = {
    "copy": Text(zh="查阅、复制个人信息", en="consult and copy personal information"),
    "correct": Text(zh="更正、补充个人信息", en="correct and supplement personal information"),
    "delete": Text(zh="删除个人信息", en="delete personal information"),
    "cancel_account": Text(zh="注销账号", en="cancel the account"),
    "restrict": Text(zh="限制个人信息处理", en="restrict the processing"),
}
# The rights the PIPL and AVIM 6.1 require a function for, in the order a person meets them, each
# with the one clause that grants it: one finding names one right and cites only its own clause.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "copy": ("PIPL-45",),
    "correct": ("PIPL-46",),
    "delete": ("PIPL-47",),
    "cancel_account": ("AVIM-6.1",),
}


class RightsChannelMissing(Rule):
    id = "CG-PIPL-045-RIGHTS-CHANNEL-MISSING"
    severity = Severity.HIGH
    title = Text(
        zh="未提供查阅复制、更正、删除个人信息或注销账号的功能",
        en="No function to copy, correct or delete personal information or to cancel the account",
    )
    remediation = Text(
        zh="在 App 内提供查阅复制（可导出）、更正、删除个人信息和注销账号的功能，"
        "并在个人信息处理规则中写明行使方式和处理时限。",
        en="Provide in-app functions to consult and copy (export), correct and delete personal "
        "information and to cancel the account, and state how and how fast in the processing rules.",
    )
    citations = ("PIPL-45", "PIPL-46", "PIPL-47", "AVIM-6.1")
    rationale = Text(
        zh="法院在种子案件中判令被告提供副本并删除信息；缺少这些途径使个人的法定权利无从行使。",
        en="In the seed case the court had to order the copy and the deletion; without these channels "
        "the person's statutory rights cannot be exercised at all.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        return missing_channels(manifest, _REQUIRED)


def missing_channels(manifest: Manifest, clauses: dict[str, tuple[str, ...]]) -> Iterator[Hit | Unknown]:
    """One finding per right stated as missing, citing only the clauses that grant it; unstated is unknown.

    Shared by every law that grants these rights (PIPL here, the Cybersecurity Law in `csl_rights`)."""
    rights = manifest.rights.by_name()
    for name, granted_by in clauses.items():
        right, what = rights[name], RIGHT_ACTIONS[name]
        if right is None:
            yield Unknown(pointer("rights", name), f"rights.{name}")
        elif not right.available:
            yield Hit(
                pointer=pointer("rights", name),
                message=Text(
                    zh=f"没有{what.zh}的途径（rights.{name}），个人无从行使这项权利。",
                    en=f"There is no way to {what.en} (rights.{name}), so the right cannot be exercised.",
                ),
                only=granted_by,
            )
