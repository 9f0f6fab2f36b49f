"""Observed: a system permission requested before the person consented (AVIM 3.1, second half).

A permission such as location or the camera opens a way to collect personal information; asking for
it before the notice is agreed to is "打开可收集个人信息的权限" before consent. Read from
`conduct.permissions[].before_consent`, which `consentgate observe` writes from its init script.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, unstated
from consentgate.text import Text


class PermissionBeforeConsent(Rule):
    id = "CG-AVIM-031-PERMISSION-BEFORE-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="征得同意前即申请可收集个人信息的权限",
        en="A permission that collects personal information requested before consent",
    )
    remediation = Text(
        zh="首次运行先展示隐私政策并取得同意，再在用到相应功能时申请权限。",
        en="Show the notice and obtain consent first; ask for a permission only when its function is used.",
    )
    citations = ("AVIM-3.1", "PIPL-13")
    rationale = Text(
        zh="认定方法第3.1项明确把同意前打开权限列为未经同意收集。",
        en="AVIM item 3.1 names opening a permission before consent as collection without consent.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return
        note = status_note(self.citations)
        for index, ask in enumerate(manifest.conduct.permissions):
            if ask.before_consent is None:
                yield unstated("permissions", ask, index, "before_consent")
            elif ask.before_consent:
                yield Hit(
                    pointer=record_at("permissions", ask, index, "before_consent"),
                    message=Text(
                        zh=f"权限申请{named(ask, index).zh}：在个人同意之前就申请了“{ask.permission}”权限。{note.zh}",
                        en=f"Permission ask {named(ask, index).en}: '{ask.permission}' was requested before the "
                        f"person consented.{note.en}",
                    ),
                )
