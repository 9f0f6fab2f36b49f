"""No way to correct or delete personal information, before the PIPL (CSL 43).

The Cybersecurity Law gave the right to have wrong information corrected and unlawfully processed
information deleted, and obliged the operator to act on it; the Civil Code added consulting and
copying from 2021-01-01 (Art. 1037), and the App identification method asks for account
cancellation from 2019-11-28 (AVIM 6.1). A right is checked only on days one of its clauses was in
force: a missing copy function is no finding for conduct in 2020. From 2021-11-01 the PIPL rule
(PIPL 45-47) judges these channels.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn.rights_channels import missing_channels
from consentgate.text import Text

# Each right with the clauses that grant it, in the order a person meets them.
_GRANTED_BY: dict[str, tuple[str, ...]] = {
    "copy": ("CIVIL-1037",),
    "correct": ("CSL-43", "CIVIL-1037"),
    "delete": ("CSL-43", "CIVIL-1037"),
    "cancel_account": ("AVIM-6.1",),
}


class CslRightsChannelMissing(Rule):
    id = "CG-CSL-043-RIGHTS-CHANNEL-MISSING"
    severity = Severity.HIGH
    title = Text(
        zh="未提供更正、删除个人信息或注销账号的途径（《网络安全法》）",
        en="No way to correct or delete personal information or cancel the account (CSL)",
    )
    remediation = Text(
        zh="在 App 内提供更正、删除个人信息和注销账号的功能，并在收集使用规则中写明行使方式。",
        en="Provide in-app functions to correct and delete personal information and to cancel the "
        "account, and say how in the published collection and use rules.",
    )
    citations = ("CSL-43", "CIVIL-1037", "AVIM-6.1")
    superseded_by = "PIPL-45"
    rationale = Text(
        zh="《网络安全法》第四十三条要求网络运营者采取措施予以删除或者更正；没有途径，这些权利无从行使。",
        en="CSL 43 obliges the operator to take measures to delete or correct; without a channel these "
        "rights cannot be exercised at all.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        catalog = load_catalog()
        in_force = {
            name: catalog.in_force_at(granted_by, manifest.as_of) for name, granted_by in _GRANTED_BY.items()
        }
        # A right no law gave on the day of the conduct is not asked for.
        return missing_channels(manifest, {name: clauses for name, clauses in in_force.items() if clauses})
