"""What the basic service needs: the app type's necessary PI, or the operator's own statement of it.

PIPL 6 and 16 judge collection against what the service needs. For the 39 common app types the NPI
Provisions say what that is. A service outside them (`app.type: other`: an offline venue, B2B SaaS,
search and advertising, telecoms, an SMS sender) has no such list in the law, so its operator states
the basic service (`app.basic_service`) and the data it cannot work without (`app.necessary_data`).
That is the operator's word, not the law's: every finding built on it says so, and cites no NPI
provision. Where the operator has not stated the data, necessity is unknown, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import DataItem, Label, Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Unknown
from consentgate.text import Text

# Said in every finding whose necessity rests on the operator's statement.
STATED_NOTE = Text(
    zh="（必要性依据运营者对其基本服务的自述判断，而非 39 类常见 App 的规定）",
    en=" (necessity judged against the operator's own statement of its basic service, "
    "not against the 39-type provisions)",
)


@dataclass(frozen=True)
class NecessaryScope:
    """The yardstick of necessity for one manifest, and how findings name it."""

    # What the data would be necessary for, as a message names it ("学习教育类App", "a ... app").
    service: Text
    # The necessary data categories; None where an `other` service has not stated them.
    categories: frozenset[str] | None
    # The app type's NPI entry; None where the operator's statement is the yardstick.
    citation: str | None

    @property
    def stated_by_operator(self) -> bool:
        return self.citation is None

    @property
    def note(self) -> Text:
        """Appended to a finding's message: empty for the 39 types, the caveat for a stated service."""
        return STATED_NOTE if self.stated_by_operator else Text(zh="", en="")

    @property
    def citations(self) -> tuple[str, ...]:
        """What a finding adds to its rule's citations: the app type's NPI entry, if there is one."""
        return () if self.citation is None else (self.citation,)

    def own_clauses(self, rule_citations: tuple[str, ...]) -> tuple[str, ...] | None:
        """`Hit.only` for a finding on necessity: a stated service cites no NPI provision at all."""
        if not self.stated_by_operator:
            return None
        return tuple(c for c in rule_citations if not c.startswith("NPI-"))


def _either(label: Label) -> Text:
    """Both languages of a statement that may be written in only one of them."""
    zh, en = label.zh or label.en or "", label.en or label.zh or ""
    return Text(zh=zh, en=en)


def necessary_scope(manifest: Manifest) -> NecessaryScope:
    """The 39-type provisions for a known type; the operator's statement for `other`."""
    app = manifest.app
    kind = load_catalog().app_type(app.type)
    if kind is not None:
        return NecessaryScope(
            service=Text(zh=f"{kind.name.zh}App", en=f"a {kind.name.en} app"),
            categories=kind.necessary_categories,
            citation=kind.citation,
        )
    stated = _either(app.basic_service) if app.basic_service is not None else Text(zh="", en="")
    return NecessaryScope(
        service=Text(
            zh=f"运营者自述的基本服务“{stated.zh}”",
            en=f"the basic service the operator states ('{stated.en}')",
        ),
        categories=None if app.necessary_data is None else frozenset(app.necessary_data),
        citation=None,
    )


def necessity(manifest: Manifest, item: DataItem, scope: NecessaryScope | None = None) -> bool | None:
    """Necessary for the basic service, or the record of the contract itself; None where it is not stated.

    Pass `scope` when judging many items of one manifest, so it is worked out once.
    """
    category = load_catalog().categories.get(item.category)
    if category is not None and category.incidental:
        return True
    categories = (scope or necessary_scope(manifest)).categories
    return None if categories is None else item.category in categories


def necessary_data_unknown() -> Unknown:
    """What a rule yields where necessity is needed and an `other` service has not stated its data."""
    return Unknown(pointer("app", "necessary_data"), "app.necessary_data")


def beyond_necessary(
    manifest: Manifest, scope: NecessaryScope, data_ids: list[str]
) -> tuple[list[DataItem], bool]:
    """The items of `data_ids` that are not necessary, and whether any item's necessity is unknown."""
    beyond, unknown = [], False
    for data_id in dict.fromkeys(data_ids):
        item = manifest.data_item(data_id)
        necessary = necessity(manifest, item, scope)
        if necessary is None:
            unknown = True
        elif not necessary:
            beyond.append(item)
    return beyond, unknown


def named(items: list[DataItem]) -> Text:
    """Items as a message lists them: “a”（contact.phone）、“b”（…） / 'a' (contact.phone), 'b' (…)."""
    return Text(
        zh="、".join(f"“{i.id}”（{i.category}）" for i in items),
        en=", ".join(f"'{i.id}' ({i.category})" for i in items),
    )
