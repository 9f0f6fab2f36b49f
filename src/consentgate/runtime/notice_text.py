"""Writes a notice's zh/en text from the manifest, so the text a person sees always matches the processing.

PIPL 17 asks for the processor, each purpose with its data, recipients, and how to exercise rights;
the manifest already states all of it, so the runtime renders it instead of trusting hand-written prose.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import Manifest, Notice
from consentgate.text import Text


def covered_purposes(manifest: Manifest, notice: Notice) -> list[str]:
    return list(notice.purposes) or [p.id for p in manifest.purposes]


def render(manifest: Manifest, notice: Notice) -> Text:
    categories = load_catalog().categories
    operator = manifest.app.operator
    zh = [f"《{manifest.app.name}》个人信息处理规则（版本 {notice.version}）"]
    en = [f"Personal information processing rules of {manifest.app.name} (version {notice.version})"]
    if operator:
        zh.append(
            f"处理者：{operator.name}" + (f"，联系方式：{operator.contact}" if operator.contact else "")
        )
        en.append(
            f"Processor: {operator.name}" + (f", contact: {operator.contact}" if operator.contact else "")
        )
    for purpose_id in covered_purposes(manifest, notice):
        purpose = manifest.purpose(purpose_id)
        items = [manifest.data_item(d) for d in purpose.data]
        zh_items = "、".join(categories[i.category].label.zh for i in items) or "无"
        en_items = ", ".join(categories[i.category].label.en for i in items) or "none"
        zh.append(f"· 目的“{purpose_id}”（{purpose.kind.value}，依据：{purpose.basis.value}）：{zh_items}")
        en.append(
            f"· Purpose '{purpose_id}' ({purpose.kind.value}, basis: {purpose.basis.value}): {en_items}"
        )
        for recipient_id in purpose.recipients:
            recipient = manifest.recipient(recipient_id)
            zh.append(f"  接收方：{recipient.name}（{recipient.kind.value}）")
            en.append(f"  Recipient: {recipient.name} ({recipient.kind.value})")
    zh.append("您可以在“设置—隐私”中查阅、复制、更正、删除您的个人信息，撤回同意或注销账号。")
    en.append(
        "In Settings → Privacy you can see, copy, correct and delete your data, withdraw consent or cancel your account."
    )
    return Text(zh="\n".join(zh), en="\n".join(en))


@dataclass(frozen=True)
class NoticeSummary:
    """The notice's first layer: a few short lines a person reads before agreeing (PIPL 17: 显著方式、清晰易懂).

    `lines` say, in plain words: who processes (and how to reach them), for which purposes, who receives
    what, how long it is kept, and how to exercise rights and complain. The complete text (`render`) is
    one tap away.
    """

    lines: tuple[Text, ...]


def summary(manifest: Manifest, notice: Notice) -> NoticeSummary:
    """The first layer of `notice` (issue 12: to be rewritten from the manifest's human labels)."""
    full = render(manifest, notice)
    zh, en = full.zh.splitlines(), full.en.splitlines()
    return NoticeSummary(lines=tuple(Text(zh=z, en=e) for z, e in zip(zh, en, strict=False)))
