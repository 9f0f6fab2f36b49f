"""The manifest compiled into what the runtime needs per purpose, asking the law facts once.

The gate and onboarding never re-derive legal conclusions: whether a purpose needs consent,
separate consent, which of its data are necessary — all come from `rules.facts`, the same
functions the audit rules use.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.manifest.models import Basis, Manifest, Purpose, PurposeKind, RecipientKind
from consentgate.rules.facts import is_necessary, is_sensitive, may_rest_on_contract, needs_no_consent


@dataclass(frozen=True)
class PurposePolicy:
    """What the law asks before data flows for one purpose."""

    id: str
    kind: PurposeKind
    basis: Basis
    data: frozenset[str]
    # Data the purpose may process without consent (necessary for the contract, or another basis).
    without_consent: frozenset[str]
    recipients: frozenset[str]
    # Consent must be separate (PIPL 23, 29, 39): sharing, sensitive data, transfers abroad.
    separate_for_data: frozenset[str]
    separate_for_recipients: bool

    @property
    def needs_consent(self) -> bool:
        return self.without_consent != self.data


@dataclass(frozen=True)
class Policy:
    """All purposes of one manifest, plus the app type's necessary data."""

    purposes: dict[str, PurposePolicy]
    data: frozenset[str]
    necessary_data: frozenset[str]
    recipients: frozenset[str]


def _without_consent(manifest: Manifest, purpose: Purpose) -> frozenset[str]:
    if not needs_no_consent(purpose):
        return frozenset()
    if purpose.enforced_basis is Basis.CONTRACT_NECESSITY and may_rest_on_contract(purpose):
        if purpose.kind is PurposeKind.ADD_ON:
            return frozenset(purpose.data)  # an add-on the user chose: its data is its contract
        return frozenset(d for d in purpose.data if is_necessary(manifest, manifest.data_item(d)))
    return frozenset(purpose.data)


def compile_policy(manifest: Manifest) -> Policy:
    purposes = {}
    for purpose in manifest.purposes:
        third_parties = [
            r for r in purpose.recipients if manifest.recipient(r).kind is not RecipientKind.ENTRUSTED
        ]
        purposes[purpose.id] = PurposePolicy(
            id=purpose.id,
            kind=purpose.kind,
            basis=purpose.enforced_basis,
            data=frozenset(purpose.data),
            without_consent=_without_consent(manifest, purpose),
            recipients=frozenset(purpose.recipients),
            separate_for_data=frozenset(d for d in purpose.data if is_sensitive(manifest.data_item(d))),
            separate_for_recipients=bool(third_parties),
        )
    return Policy(
        purposes=purposes,
        data=frozenset(d.id for d in manifest.data),
        necessary_data=frozenset(d.id for d in manifest.data if is_necessary(manifest, d)),
        recipients=frozenset(r.id for r in manifest.recipients),
    )
