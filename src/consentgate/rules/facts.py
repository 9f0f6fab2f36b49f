"""Facts about a manifest that several rules ask for, computed one way in one place."""

from __future__ import annotations

from consentgate.law.catalog import load_catalog
from consentgate.law.models import AppType
from consentgate.manifest.models import (
    Basis,
    Channel,
    DataItem,
    Manifest,
    Purpose,
    PurposeKind,
)


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


def is_marketing(purpose: Purpose) -> bool:
    return purpose.kind is PurposeKind.MARKETING or purpose.marketing is not None


def disturbs_private_life(purpose: Purpose) -> bool:
    """Civil Code 1033(1): calls, SMS, instant messages and e-mail that reach into private life."""
    return purpose.channel in {Channel.SMS, Channel.PHONE, Channel.EMAIL, Channel.IM}
