"""Writes the notice people read from the manifest, so the text always matches the processing.

PIPL 17 wants the notice 以显著方式、清晰易懂的语言: the processor and its contact, each purpose with
its data and legal ground, retention, and how to exercise rights; PIPL 23 adds each recipient's name,
contact, purpose and data. The manifest states all of it, in its own human labels, so the runtime
renders the notice instead of trusting hand-written prose. Nothing here prints an id, an enum value or
a basis code: purposes are named by their label (or, if the manifest has none, by their kind in
words, which the audit reports), data by its label or its category's label, recipients by their label
or name, and channels and grounds by phrases from the i18n catalogs.

`render` is the complete text, published and hashed; `summary` is its first layer, a few short lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import (
    Basis,
    DataItem,
    Label,
    Manifest,
    Notice,
    Purpose,
    Recipient,
    RecipientKind,
    WithdrawalChannel,
)
from consentgate.text import Text

_EMPTY = Text(zh="", en="")
# How many names a summary line lists before it says "and N more" (the full text lists them all).
_SUMMARY_NAMES = 3
_GROUNDS = {
    Basis.CONTRACT_NECESSITY: "contract",
    Basis.CONSENT: "consent",
    Basis.SEPARATE_CONSENT: "separate",
    Basis.WRITTEN_CONSENT: "written",
    Basis.LEGAL_OBLIGATION: "legal",
    Basis.EMERGENCY: "emergency",
    Basis.NEWS_REPORTING: "news",
    Basis.PUBLIC_INFORMATION: "public",
    Basis.OTHER_LAW: "other_law",
    Basis.NONE: "none",
}
# Channels the manifest may name with a token (a withdrawal channel, or `in-app` for a right): in words.
_WHERE = {"in-app", "in-app-settings", "in-flow", "web", "email", "customer-service"}


def covered_purposes(manifest: Manifest, notice: Notice) -> list[str]:
    return list(notice.purposes) or [p.id for p in manifest.purposes]


# ---------------------------------------------------------------- words for manifest things


def _label(label: Label | None, fallback: Text) -> Text:
    """A label in both languages; a missing side falls back on `fallback`, never on an id."""
    if label is None:
        return fallback
    return Text(zh=label.zh or fallback.zh, en=label.en or fallback.en)


def _wording(label: Label) -> Text:
    """A statement (retention) in both languages; a side the manifest left out shows the other."""
    return Text(zh=label.zh or label.en or "", en=label.en or label.zh or "")


def purpose_name(purpose: Purpose) -> Text:
    return _label(purpose.label, message(f"notice_text.kind.{purpose.kind.value}"))


def data_name(item: DataItem) -> Text:
    category = load_catalog().categories.get(item.category)
    fallback = category.label if category is not None else message("notice_text.no_data")
    return _label(item.label, fallback)


def recipient_name(recipient: Recipient) -> Text:
    return _label(recipient.label, Text(zh=recipient.name, en=recipient.name))


def _join(texts: Iterable[Text], limit: int | None = None) -> Text:
    """`甲、乙、丙` / `A, B, C`; with `limit`, the rest counted as "and N more"."""
    unique = list(dict.fromkeys(texts))
    shown = unique if limit is None else unique[:limit]
    zh, en = "、".join(t.zh for t in shown), ", ".join(t.en for t in shown)
    if len(unique) > len(shown):
        more = message("notice_text.list_more", count=len(unique) - len(shown))
        zh, en = f"{zh}{more.zh}", f"{en} {more.en}"
    return Text(zh=zh, en=en)


def _data(manifest: Manifest, data_ids: Iterable[str], limit: int | None = None) -> Text:
    names = [data_name(manifest.data_item(d)) for d in data_ids]
    return _join(names, limit) if names else message("notice_text.no_data")


def _where(channel: str | None) -> Text:
    """A channel token in words; a channel written as text (an address, a menu path) as it is."""
    if channel is None:
        return message("notice_text.where.contact")
    if channel in _WHERE:
        return message(f"notice_text.where.{channel}")
    return Text(zh=channel, en=channel)


def _lines(*texts: Text) -> Text:
    kept = [t for t in texts if t.zh or t.en]
    return Text(zh="\n".join(t.zh for t in kept), en="\n".join(t.en for t in kept))


# ---------------------------------------------------------------- the notice's parts


@dataclass(frozen=True)
class _Scope:
    """What one notice covers: its purposes, the data they use and the recipients they give it to."""

    purposes: tuple[Purpose, ...]
    data: tuple[DataItem, ...]
    recipients: tuple[tuple[Recipient, tuple[Purpose, ...]], ...]

    @classmethod
    def of(cls, manifest: Manifest, notice: Notice) -> _Scope:
        purposes = tuple(manifest.purpose(p) for p in covered_purposes(manifest, notice))
        data = tuple(manifest.data_item(d) for d in dict.fromkeys(d for p in purposes for d in p.data))
        recipient_ids = dict.fromkeys(r for p in purposes for r in p.recipients)
        recipients = tuple(
            (manifest.recipient(r), tuple(p for p in purposes if r in p.recipients)) for r in recipient_ids
        )
        return cls(purposes=purposes, data=data, recipients=recipients)


def _who(manifest: Manifest, key: str) -> Text:
    operator = manifest.app.operator
    name = operator.name if operator is not None else manifest.app.name
    contact = operator.contact if operator is not None and operator.contact else None
    return message(
        key,
        operator=Text(zh=name, en=name),
        contact=Text(zh=contact, en=contact) if contact else message("notice_text.no_contact"),
    )


def _purpose_line(manifest: Manifest, purpose: Purpose) -> Text:
    ground = message(f"notice_text.ground.{_GROUNDS[purpose.enforced_basis]}")
    if purpose.personalization is not None and purpose.personalization.non_personalized_option:
        off = message("notice_text.non_personalized")
        ground = Text(zh=f"{ground.zh}{off.zh}", en=f"{ground.en} {off.en}")
    name = purpose_name(purpose)
    name = Text(zh=name.zh.rstrip("。."), en=name.en.rstrip("."))  # the template ends the sentence
    if purpose.channel is not None:
        by = message(
            "notice_text.by_channel", channel=message(f"notice_text.channel.{purpose.channel.value}")
        )
        name = Text(zh=f"{name.zh}{by.zh}", en=f"{name.en}{by.en}")
    line = message("notice_text.purpose", label=name, data=_data(manifest, purpose.data), ground=ground)
    sensitive = [d for d in purpose.data if _is_sensitive(manifest.data_item(d))]
    if not sensitive:
        return line
    # Highlighted, as MIIT's 2023 notice (draft wording) asks; the words are PIPL 28's definition.
    warning = message("notice_text.sensitive", data=_data(manifest, sensitive))
    return Text(zh=f"{line.zh}{warning.zh}", en=f"{line.en} {warning.en}")


def _is_sensitive(item: DataItem) -> bool:
    if item.sensitive is not None:
        return item.sensitive
    category = load_catalog().categories.get(item.category)
    return bool(category and category.sensitive)


def _recipient_line(manifest: Manifest, recipient: Recipient, purposes: tuple[Purpose, ...]) -> Text:
    asks = recipient.kind is not RecipientKind.ENTRUSTED and any(
        p.enforced_basis.is_separate for p in purposes
    )
    line = message(
        "notice_text.recipient",
        name=recipient_name(recipient),
        kind=message(f"notice_text.recipient_kind.{recipient.kind.value}"),
        contact=Text(zh=recipient.contact, en=recipient.contact)
        if recipient.contact
        else message("notice_text.no_contact"),
        purpose=_join(purpose_name(p) for p in purposes),
        data=_data(manifest, dict.fromkeys(d for p in purposes for d in p.data)),
        asked=message("notice_text.recipient_asked") if asks else _EMPTY,
    )
    if recipient.country is None or recipient.country.upper() in ("CN", "CHN"):
        return line
    abroad = message("notice_text.recipient_abroad", country=Text(zh=recipient.country, en=recipient.country))
    return Text(zh=f"{line.zh}{abroad.zh}", en=f"{line.en} {abroad.en}")


def _retentions(scope: _Scope, notice: Notice) -> list[Text]:
    """One statement per item that states its retention, then the notice's own (or the PIPL 19 rule)."""
    lines = [
        message("notice_text.retention_item", data=data_name(item), retention=_wording(item.retention))
        for item in scope.data
        if item.retention is not None
    ]
    overall = notice.retention_statement
    lines.append(_wording(overall) if overall is not None else message("notice_text.retention_rest"))
    return lines


def _rights(manifest: Manifest) -> list[Text]:
    lines = []
    for name, right in manifest.rights.by_name().items():
        if right is None or not right.available:
            continue
        what, where = message(f"notice_text.right.{name}"), _where(right.channel)
        if right.working_days is None:
            lines.append(message("notice_text.right_no_days", right=what, channel=where))
        else:
            lines.append(message("notice_text.right", right=what, channel=where, days=right.working_days))
    lines.append(message("notice_text.withdraw", channel=_where(_withdrawal_channel(manifest))))
    return lines


def _withdrawal_channel(manifest: Manifest) -> str | None:
    """None (say: the contact above) where the manifest offers no channel: the operator can still be asked."""
    channel = manifest.consent.withdrawal.channel
    return None if channel is None or channel is WithdrawalChannel.NONE else channel.value


def _complaint_channel(manifest: Manifest) -> Text:
    channel = manifest.complaints.channel_text or (
        manifest.app.operator.contact if manifest.app.operator else None
    )
    return Text(zh=channel, en=channel) if channel else message("notice_text.no_contact")


def _complaints(manifest: Manifest) -> Text:
    days = manifest.complaints.working_days
    channel = _complaint_channel(manifest)
    if days is None:
        return message("notice_text.complaints_no_days", channel=channel)
    return message("notice_text.complaints", channel=channel, days=days)


# ---------------------------------------------------------------- the complete text


def render(manifest: Manifest, notice: Notice) -> Text:
    """The complete notice: every item PIPL 17 and 23 name, in six sections, zh and en."""
    scope = _Scope.of(manifest, notice)
    app = Text(zh=manifest.app.name, en=manifest.app.name)
    version = Text(zh=notice.version, en=notice.version)
    recipients = [_recipient_line(manifest, r, ps) for r, ps in scope.recipients] or [
        message("notice_text.no_recipients")
    ]
    return _lines(
        message("notice_text.title", app=app, version=version),
        message("notice_text.h_who"),
        _who(manifest, "notice_text.who"),
        message("notice_text.h_purposes"),
        *(_purpose_line(manifest, p) for p in scope.purposes),
        message("notice_text.h_recipients"),
        *recipients,
        message("notice_text.h_retention"),
        *_retentions(scope, notice),
        message("notice_text.h_rights"),
        *_rights(manifest),
        message("notice_text.h_complaints"),
        _complaints(manifest),
    )


# ---------------------------------------------------------------- the first layer


@dataclass(frozen=True)
class NoticeSummary:
    """The notice's first layer: a few short lines a person reads before agreeing (PIPL 17: 显著方式、清晰易懂).

    `lines` say, in plain words: who processes (and how to reach them), for which purposes, who receives
    what, how long it is kept, and how to exercise rights and complain. The complete text (`render`) is
    one tap away.
    """

    lines: tuple[Text, ...]


def _summary_purposes(scope: _Scope) -> Text:
    basic = [purpose_name(p) for p in scope.purposes if not p.enforced_basis.is_consent]
    optional = [purpose_name(p) for p in scope.purposes if p.enforced_basis.is_consent]
    if basic and optional:
        return message(
            "notice_text.s_basic_and_optional", basic=_join(basic, _SUMMARY_NAMES), optional=_join(optional)
        )
    if optional:
        return message("notice_text.s_optional", optional=_join(optional))
    return message("notice_text.s_basic", basic=_join(basic, _SUMMARY_NAMES)) if basic else _EMPTY


def _summary_recipients(manifest: Manifest, scope: _Scope) -> Text:
    """Who receives what, grouped by why: on your separate consent, for the contract, or on our behalf."""
    groups: dict[str, list[Text]] = {"asked": [], "contract": [], "entrusted": []}
    for recipient, purposes in scope.recipients:
        if recipient.kind is RecipientKind.ENTRUSTED:
            groups["entrusted"].append(recipient_name(recipient))
            continue
        data = _data(manifest, dict.fromkeys(d for p in purposes for d in p.data), _SUMMARY_NAMES)
        given = message("notice_text.s_recipient", name=recipient_name(recipient), data=data)
        groups["asked" if any(p.enforced_basis.is_consent for p in purposes) else "contract"].append(given)
    parts = [
        message(
            f"notice_text.s_recipients_{group}", list=_join(items) if group == "entrusted" else _listed(items)
        )
        for group, items in groups.items()
        if items
    ]
    if not parts:
        return message("notice_text.no_recipients")
    return Text(zh="".join(t.zh for t in parts), en=" ".join(t.en for t in parts))


def _listed(items: list[Text]) -> Text:
    return Text(zh="；".join(t.zh for t in items), en="; ".join(t.en for t in items))


def _summary_retention(scope: _Scope, notice: Notice) -> Text:
    if notice.retention_statement is not None:
        return message("notice_text.s_retention", retention=_wording(notice.retention_statement))
    stated = [_wording(d.retention) for d in scope.data if d.retention is not None]
    if not stated:
        return message("notice_text.s_retention", retention=message("notice_text.retention_rest"))
    first = stated[0]
    key = "notice_text.s_retention" if all(s == first for s in stated) else "notice_text.s_retention_see_full"
    return message(key, retention=first)


def _summary_rights(manifest: Manifest) -> Text:
    channels = [r.channel for r in manifest.rights.by_name().values() if r is not None and r.available]
    where = _where(channels[0] if channels else _withdrawal_channel(manifest))
    days = manifest.complaints.working_days
    channel = _complaint_channel(manifest)
    complaints = (
        message("notice_text.s_complaints_days", channel=channel, days=days) if days is not None else channel
    )
    return message("notice_text.s_rights", channel=where, complaints=complaints)


def summary(manifest: Manifest, notice: Notice) -> NoticeSummary:
    """At most five short lines: who, what for, to whom, how long, rights and complaints."""
    scope = _Scope.of(manifest, notice)
    lines = (
        _who(manifest, "notice_text.s_who"),
        _summary_purposes(scope),
        _summary_recipients(manifest, scope),
        _summary_retention(scope, notice),
        _summary_rights(manifest),
    )
    return NoticeSummary(lines=tuple(line for line in lines if line.zh or line.en))
