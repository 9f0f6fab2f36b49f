"""A setting the person set, found in another state without their act (AVIM 3.5).

"未经用户同意更改其设置的可收集个人信息权限状态": the person switched off personalized recommendation, push or
marketing, or denied a permission, and later the app shows it on again (an update, a relaunch, a reload
that restores the default). Read from `conduct.setting_changes[]`: `consentgate observe` writes a record
when its refusal walk finds a setting it set in another state on reloading the screen, and it never
switches a setting on itself, so the change was nobody's act but the app's (`by_person: false`).
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, unstated
from consentgate.text import Text

_STATES = {"off": "关闭", "on": "开启", "denied": "拒绝", "granted": "允许"}


def _state(value: str | None) -> Text:
    """A state as the person says it: `off` is 关闭 in Chinese; any other word is quoted as written."""
    if value is None:
        return Text(zh="未说明", en="not stated")
    return Text(zh=_STATES.get(value.lower(), value), en=value)


class SettingChanged(Rule):
    id = "CG-AVIM-035-SETTING-CHANGED"
    severity = Severity.HIGH
    title = Text(
        zh="未经用户同意更改其设置的可收集个人信息权限状态",
        en="A setting that collects personal information changed without the person's consent",
    )
    remediation = Text(
        zh="保存个人对权限和个性化、推送、营销等设置所作的选择，更新、重启或重新加载后仍按其选择执行；"
        "需要改变时先征得本人同意。",
        en="Keep the person's choice for permissions and for personalization, push and marketing settings "
        "across updates, relaunches and reloads; ask them before changing it.",
    )
    citations = ("AVIM-3.5", "PIPL-14")
    rationale = Text(
        zh="认定方法第3.5项把擅自恢复个人已关闭的权限或设置列为未经同意收集；同意须由个人自愿、明确作出，"
        "应用替个人改回设置即无同意。",
        en="AVIM item 3.5 names restoring a permission or setting the person turned off as collection "
        "without consent; consent must be the person's own explicit act, and a setting the app turned back "
        "on carries none.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return
        note = status_note(self.citations)
        for index, change in enumerate(manifest.conduct.setting_changes):
            if change.by_person is None:
                yield unstated("setting_changes", change, index, "by_person")
            elif not change.by_person:
                was, found = _state(change.person_set), _state(change.found)
                yield Hit(
                    pointer=record_at("setting_changes", change, index, "by_person"),
                    message=Text(
                        zh=f"设置变更{named(change, index).zh}：个人把“{change.setting}”设为“{was.zh}”，"
                        f"之后未经其操作被改为“{found.zh}”。{note.zh}",
                        en=f"Setting change {named(change, index).en}: the person set '{change.setting}' to "
                        f"'{was.en}'; it was later found '{found.en}' without any act of theirs.{note.en}",
                    ),
                )
