"""Drift: a field the declared manifest calls optional is required on a screen the browser saw (AVIM 3.3).

Declared screens say `required: false`; observed screens (`observed: true`) say what the page marked.
Where the same data item is optional by declaration and required in fact, the person is made to give
what the app says is theirs to refuse. Without observed and declared screens for the same item there
is nothing to compare, and the rule says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.text import Text


class RequiredBeyondDeclared(Rule):
    id = "CG-AVIM-033-REQUIRED-BEYOND-DECLARED"
    severity = Severity.MEDIUM
    title = Text(
        zh="声明为选填的信息在实际界面上为必填",
        en="A field declared optional is required on the observed screen",
    )
    remediation = Text(
        zh="让界面与声明一致：去掉必填标记并允许跳过，或修改清单与隐私政策并说明必要性。",
        en="Make the screen match the declaration: drop the required marker and allow skipping, or change "
        "the manifest and notice and say why it is necessary.",
    )
    citations = ("AVIM-3.3", "AVIM-3.9", "PIPL-16")
    rationale = Text(
        zh="实际强制超出个人授权的范围；是否构成强制收集另由必要性规则判断，故为中等。",
        en="The screen forces beyond what was authorised; whether it is forced collection the necessity rule "
        "judges, so medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        optional = {
            f.data: s.id
            for s in manifest.onboarding
            if s.observed is not True
            for f in s.fields
            if f.required is False
        }
        note = status_note(self.citations)
        for screen in manifest.onboarding:
            if screen.observed is not True:
                continue
            for i, field in enumerate(screen.fields):
                declared_on = optional.get(field.data)
                if declared_on is None:
                    continue
                at = pointer("onboarding", screen.id, "fields", i, "required")
                if field.required is None:
                    yield Unknown(at, f"onboarding[{screen.id}].fields[{i}].required")
                elif field.required:
                    yield Hit(
                        pointer=at,
                        message=Text(
                            zh=f"“{field.data}”在声明的界面“{declared_on}”为选填，实际界面“{screen.id}”却为必填。{note.zh}",
                            en=f"'{field.data}' is optional on declared screen '{declared_on}' but required on "
                            f"observed screen '{screen.id}'.{note.en}",
                        ),
                        data=(field.data,),
                    )
