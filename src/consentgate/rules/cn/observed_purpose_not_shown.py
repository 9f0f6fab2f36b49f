"""A permission or a sensitive field asked for without its purpose shown at that moment (AVIM 2.3).

The method wants the purpose told "同步": on the screen where the ID-card number, bank account or
location is asked for, or with the permission prompt. Read from `onboarding[].fields[].purpose_shown`
for sensitive data (PIPL 28) and from `conduct.permissions[].purpose_shown`. An unstated fact is
unconfirmed on observed screens only: a declared screen's design rarely says what shows beside a field,
and asking every manifest for it would bury the audit in checks only a browser can answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, unstated
from consentgate.rules.facts import is_sensitive
from consentgate.text import Text


class PurposeNotShown(Rule):
    id = "CG-AVIM-023-PURPOSE-NOT-SHOWN"
    severity = Severity.MEDIUM
    title = Text(
        zh="申请权限或敏感个人信息时未同步告知目的",
        en="A permission or sensitive data asked for without its purpose shown at that moment",
    )
    remediation = Text(
        zh="在申请权限的弹窗前、在要求填写敏感个人信息的界面上，用一句话说明用途及不提供的影响。",
        en="Before a permission prompt, and on the screen that asks for sensitive data, say in one sentence "
        "what it is for and what happens without it.",
    )
    citations = ("AVIM-2.3", "PIPL-17", "PIPL-30")
    rationale = Text(
        zh="目的不同步告知，个人无法在提供时作出知情决定；属中等。",
        en="Without the purpose at the moment of asking, the person cannot decide knowingly. Medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        note = status_note(self.citations)
        for screen in manifest.onboarding:
            for i, field in enumerate(screen.fields):
                item = manifest.data_by_id.get(field.data)
                if item is None or not is_sensitive(item):
                    continue
                at = pointer("onboarding", screen.id, "fields", i, "purpose_shown")
                if field.purpose_shown is None:
                    if screen.observed is not True:
                        continue  # a design screen: what it shows is seen at run time, not declared
                    yield Unknown(at, f"onboarding[{screen.id}].fields[{i}].purpose_shown")
                elif not field.purpose_shown:
                    yield Hit(
                        pointer=at,
                        message=Text(
                            zh=f"界面“{screen.id}”要求填写敏感个人信息“{field.data}”，未同步说明目的。{note.zh}",
                            en=f"Screen '{screen.id}' asks for sensitive data '{field.data}' without showing "
                            f"its purpose.{note.en}",
                        ),
                        data=(field.data,),
                    )
        if manifest.conduct is None:
            return
        for index, ask in enumerate(manifest.conduct.permissions):
            if ask.purpose_shown is None:
                yield unstated("permissions", ask, index, "purpose_shown")
            elif not ask.purpose_shown:
                yield Hit(
                    pointer=record_at("permissions", ask, index, "purpose_shown"),
                    message=Text(
                        zh=f"权限申请{named(ask, index).zh}：申请“{ask.permission}”时未同步说明目的。{note.zh}",
                        en=f"Permission ask {named(ask, index).en}: '{ask.permission}' was requested without "
                        f"its purpose shown.{note.en}",
                    ),
                )
