"""Facts about a manifest that several rules ask for, computed one way in one place."""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import (
    Basis,
    Channel,
    DataItem,
    DataSource,
    Manifest,
    Purpose,
    PurposeKind,
    Screen,
    ScreenAction,
    ScreenField,
)
from consentgate.rules.base import Unknown
from consentgate.rules.necessity import necessity
from consentgate.rules.unstated import unstated


def is_necessary(manifest: Manifest, item: DataItem) -> bool:
    """Necessary for the basic service (`rules.necessity`), as the runtime must read it.

    Necessity that is not stated (a service outside the 39 types that lists no necessary data) counts
    as not necessary here, so the runtime asks consent for it; the audit rules use `necessity` itself,
    which says unknown.
    """
    return necessity(manifest, item) is True


def is_sensitive(item: DataItem) -> bool:
    if item.sensitive is not None:
        return item.sensitive
    category = load_catalog().categories.get(item.category)
    return bool(category and category.sensitive)


def may_rest_on_contract(purpose: Purpose) -> bool:
    """The court's test: contract necessity covers basic functions and add-ons the user chose.

    An add-on whose choice is not stated does not pass (the runtime asks consent); rules that must not
    read that silence as an answer use `contract_may_cover`.
    """
    return contract_may_cover(purpose) is True


def contract_may_cover(purpose: Purpose) -> bool | None:
    """`may_rest_on_contract`, None for an add-on where the manifest does not say whether the user chose it."""
    if purpose.kind is PurposeKind.BASIC_FUNCTION:
        return True
    if purpose.kind is PurposeKind.ADD_ON:
        return purpose.user_selected
    return False


# PIPL 13 items (2)-(7): bases on which no consent is needed (PIPL 13 para 2).
_NO_CONSENT_BASES = {
    Basis.LEGAL_OBLIGATION,
    Basis.EMERGENCY,
    Basis.NEWS_REPORTING,
    Basis.PUBLIC_INFORMATION,
    Basis.OTHER_LAW,
}


def needs_no_consent(purpose: Purpose) -> bool:
    """PIPL 13 para 2: contract necessity (as the court read it) and items (3)-(7) need no consent.

    An unstated basis is consent (`Purpose.enforced_basis`); rules that must tell it apart use
    `consent_needed`.
    """
    return consent_needed(purpose) is False


def consent_needed(purpose: Purpose) -> bool | None:
    """The opposite of `needs_no_consent`, None where the basis (or the add-on's choice) is not stated."""
    if purpose.basis is None:
        return None
    if purpose.basis is Basis.CONTRACT_NECESSITY:
        covered = contract_may_cover(purpose)
        return None if covered is None else not covered
    return purpose.basis not in _NO_CONSENT_BASES


def may_be_required(purpose: Purpose) -> bool | None:
    """PIPL 16's exception: what the service needs, or a basis that needs no consent, may be a condition of use.

    None where neither is settled by the stated facts (the basis, or whether an add-on was chosen).
    """
    return any_of(
        contract_may_cover(purpose), None if purpose.basis is None else purpose.basis in _NO_CONSENT_BASES
    )


def all_of(*values: bool | None) -> bool | None:
    """Three-valued and: False if one is False, else None if one is unknown, else True."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def any_of(*values: bool | None) -> bool | None:
    """Three-valued or: True if one is True, else None if one is unknown, else False."""
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def needs_consent(purpose: Purpose) -> bool | Unknown:
    """Whether the purpose needs the person's consent (`needs_no_consent` is false), or the unstated
    fact that decides it: its basis, or, for an add-on claimed as contract necessity, whether the user
    chose it (`may_rest_on_contract` counts only a stated choice)."""
    answer = consent_needed(purpose)
    return next(basis_facts(purpose)) if answer is None else answer


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


_WAYS_AROUND = {ScreenAction.SKIP, ScreenAction.REFUSE}


def way_around(screen: Screen) -> bool | None:
    """Whether the screen offers skip or refuse; None where the manifest lists none of its actions.

    `actions: []` states that the screen has none (so no way around); leaving `actions` out says nothing.
    """
    if "actions" not in screen.model_fields_set:
        return None
    return bool(_WAYS_AROUND & set(screen.actions))


def screen_fact(screen: Screen, *path: str | int) -> Unknown:
    """An unstated fact of an onboarding screen: `onboarding[questionnaire].fields[0].required`."""
    return unstated("onboarding", screen.id, *path)


def field_purpose(manifest: Manifest, field: ScreenField) -> str | None:
    """The one purpose a screen field serves, as its finding names it: the field's own, else the data's."""
    if len(field.purposes) == 1:
        return field.purposes[0]
    using = manifest.purposes_using(field.data)
    return using[0].id if not field.purposes and len(using) == 1 else None


def basis_facts(purpose: Purpose) -> Iterator[Unknown]:
    """The unstated facts that leave a purpose's need for consent open: its basis, an add-on's choice."""
    if purpose.basis is None:
        yield unstated("purposes", purpose.id, "basis")
    if purpose.kind is PurposeKind.ADD_ON and purpose.user_selected is None:
        yield unstated("purposes", purpose.id, "user_selected")
