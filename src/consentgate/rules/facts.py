"""Facts about a manifest that several rules ask for, computed one way in one place."""

from __future__ import annotations

from consentgate.law.catalog import load_catalog
from consentgate.law.models import AppType
from consentgate.manifest.models import (
    Basis,
    Channel,
    DataItem,
    DataSource,
    Manifest,
    Purpose,
    PurposeKind,
)
from consentgate.rules.base import Unknown
from consentgate.rules.unstated import unstated


def app_type(manifest: Manifest) -> AppType:
    return load_catalog().app_types[manifest.app.type]


def is_necessary(manifest: Manifest, item: DataItem) -> bool:
    """Necessary PI for the app type's basic function (39-type provisions), or the record of the contract itself."""
    category = load_catalog().categories.get(item.category)
    return item.category in app_type(manifest).necessary_categories or bool(category and category.incidental)


def is_sensitive(item: DataItem) -> bool:
    if item.sensitive is not None:
        return item.sensitive
    category = load_catalog().categories.get(item.category)
    return bool(category and category.sensitive)


def may_rest_on_contract(purpose: Purpose) -> bool:
    """The court's test: contract necessity covers basic functions and add-ons the user chose."""
    return purpose.kind is PurposeKind.BASIC_FUNCTION or (
        purpose.kind is PurposeKind.ADD_ON and purpose.user_selected is True
    )


# PIPL 13 items (2)-(7): bases on which no consent is needed (PIPL 13 para 2).
_NO_CONSENT_BASES = {
    Basis.LEGAL_OBLIGATION,
    Basis.EMERGENCY,
    Basis.NEWS_REPORTING,
    Basis.PUBLIC_INFORMATION,
    Basis.OTHER_LAW,
}


def needs_no_consent(purpose: Purpose) -> bool:
    """PIPL 13 para 2: contract necessity (as the court read it) and items (3)-(7) need no consent."""
    if purpose.basis is Basis.CONTRACT_NECESSITY:
        return may_rest_on_contract(purpose)
    return purpose.basis in _NO_CONSENT_BASES


def needs_consent(purpose: Purpose) -> bool | Unknown:
    """Whether the purpose needs the person's consent (`needs_no_consent` is false), or the unstated
    fact that decides it: its basis, or, for an add-on claimed as contract necessity, whether the user
    chose it (`may_rest_on_contract` counts only a stated choice)."""
    if purpose.basis is None:
        return unstated("purposes", purpose.id, "basis")
    if (
        purpose.basis is Basis.CONTRACT_NECESSITY
        and purpose.kind is PurposeKind.ADD_ON
        and purpose.user_selected is None
    ):
        return unstated("purposes", purpose.id, "user_selected")
    return not needs_no_consent(purpose)


def data_sources(manifest: Manifest) -> dict[str, DataSource | None]:
    """Where each data item comes from, as far as the manifest says; None where it does not.

    The stated `source` first. Without one, other stated facts still tell: an item with `derived_from`
    is computed from those items; one with a `provenance` was provided by someone else, who is not
    named as a kind of source (None); one that an onboarding screen asks for is typed in by the person.
    """
    typed_in = {field.data for screen in manifest.onboarding for field in screen.fields}
    return {item.id: _source(item, typed_in) for item in manifest.data}


def _source(item: DataItem, typed_in: set[str]) -> DataSource | None:
    if item.source is not None:
        return item.source
    if item.derived_from:
        return DataSource.DERIVED
    if item.provenance is None and item.id in typed_in:
        return DataSource.USER
    return None


def is_marketing(purpose: Purpose) -> bool:
    return purpose.kind is PurposeKind.MARKETING or purpose.marketing is not None


def disturbs_private_life(purpose: Purpose) -> bool:
    """Civil Code 1033(1): calls, SMS, instant messages and e-mail that reach into private life."""
    return purpose.channel in {Channel.SMS, Channel.PHONE, Channel.EMAIL, Channel.IM}
