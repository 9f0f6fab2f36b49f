"""Observed: the same data read by the same code far more often than any function needs (AVIM 4.4).

A runtime trace counts, per collector and data, the most reads seen in any one calendar minute
(`conduct.collections[].peak_per_minute`). AVIM 4.4 names "收集个人信息的频度等超出业务功能实际需要"
without a number; ours is 60 reads in one minute (once a second, sustained for a minute), which no
screen a person uses needs for a device identifier, the app list, the address book or the clipboard.
Location is exempt for map-navigation and ride-hailing apps, whose basic function is following the
person in real time. The finding prints the measure, so a reader can weigh it against the function.

A record that says nothing about frequency claims nothing (a questionnaire is read once); only a record
that writes `peak_per_minute: unknown` (a trace without times) asks for the fact.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import Collection
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cited import status_note
from consentgate.rules.cn._conduct import named, record_at, unstated
from consentgate.text import Text

THRESHOLD_PER_MINUTE = 60
_LOCATION = frozenset({"location.precise", "location.track"})
_FOLLOWS_LOCATION = frozenset({"map-navigation", "ride-hailing"})


class FrequentCollection(Rule):
    id = "CG-AVIM-044-FREQUENT-COLLECTION"
    severity = Severity.MEDIUM
    title = Text(
        zh="收集个人信息的频度超出业务功能实际需要",
        en="Personal information collected more often than any function needs",
    )
    remediation = Text(
        zh="读取一次后缓存结果，仅在相应功能被使用时再次读取；排查高频读取的SDK并调整其配置或替换。",
        en="Read it once and keep the result; read again only when the function that needs it is used; "
        "find the SDK that polls it and configure or replace it.",
    )
    citations = ("AVIM-4.4", "PIPL-6")
    rationale = Text(
        zh="频度本身不等于违法，阈值是本项目的判断，故为中等；发现附有实测次数，由读者结合功能判断。",
        en="Frequency alone is not unlawful and the threshold is ours, hence medium; the finding shows the "
        "measured count for a reader to weigh against the function.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return
        note = status_note(self.citations)
        for index, collection in enumerate(manifest.conduct.collections):
            if collection.peak_per_minute is None:
                if "peak_per_minute" in collection.model_fields_set:
                    yield unstated("collections", collection, index, "peak_per_minute")
                continue
            judged = _judged_data(manifest, collection)
            if not judged or collection.peak_per_minute < THRESHOLD_PER_MINUTE:
                continue
            peak, what = collection.peak_per_minute, "、".join(judged)
            by = _by(manifest, collection)
            yield Hit(
                pointer=record_at("collections", collection, index, "peak_per_minute"),
                message=Text(
                    zh=f"收集记录{named(collection, index).zh}：{what}{by.zh}在一分钟内被读取多达 {peak} 次"
                    f"（本规则阈值为每分钟 {THRESHOLD_PER_MINUTE} 次），超出业务功能的实际需要。{note.zh}",
                    en=f"Collection {named(collection, index).en}: {', '.join(judged)} was read{by.en} up to "
                    f"{peak} times in one minute (this rule's threshold: {THRESHOLD_PER_MINUTE} a minute), more "
                    f"than a function needs.{note.en}",
                ),
                data=tuple(judged),
            )


def _by(manifest: Manifest, collection: Collection) -> Text:
    if collection.by is None:
        return Text(zh="", en="")
    recipient = manifest.recipients_by_id.get(collection.by)
    name = recipient.name if recipient is not None else collection.by
    return Text(zh=f"由“{name}”", en=f" by '{name}'")


def _judged_data(manifest: Manifest, collection: Collection) -> list[str]:
    """The collection's data items, less location where following the person is the basic function."""
    follows = manifest.app.type in _FOLLOWS_LOCATION
    out = []
    for data_id in collection.data:
        item = manifest.data_by_id.get(data_id)
        if follows and item is not None and item.category in _LOCATION:
            continue
        out.append(data_id)
    return out
