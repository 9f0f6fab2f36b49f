"""The purpose-bound profile store.

Every attribute remembers the purposes it was collected for and the consent event it rests on;
`read(subject, purpose)` asks the gate for each one, so a withdrawal hides it on the next read. A
derived tag is only as readable as everything it was derived from: when any attribute in its
lineage is not readable for the purpose (withdrawn, never consented, or replaced by a newer
value), the tag is hidden too.

A correction (PIPL 46) goes further than a new value: the tags computed from the inaccurate value
are computed again, or deleted when the store has no deriver for them, so no tag keeps describing
the person by what they corrected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from consentgate.manifest.models import Manifest
from consentgate.manifest.references import hint
from consentgate.runtime.consent.repository import event_owner
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import TenantMismatch, UnknownConsentEvent, UnknownDataItem, UnknownPurpose
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.errors import (
    DerivedNotCorrectable,
    NothingToCorrect,
    UndeclaredLineage,
    UnknownAttribute,
)
from consentgate.runtime.profiles.lineage import dependents
from consentgate.runtime.profiles.models import ProfileAttributeRow
from consentgate.runtime.profiles.ports import ChangeLog, DecisionGate
from consentgate.runtime.profiles.repository import ProfileRepository, to_attribute
from consentgate.runtime.profiles.schemas import Attribute, AttributeSource, Correction
from consentgate.store.database import Database

# Computes a tag from its sources' current values, keyed by their data id.
Deriver = Callable[[Mapping[str, Any]], Any]


class ProfileStore:
    """One tenant's profiles. `derivers` (tag data id -> Deriver) are how a correction recomputes a
    tag; a tag without one is deleted when a value it rests on is corrected."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeLog,
        gate: DecisionGate,
        manifest: Manifest,
        consent_owner: Callable[[Session, str], tuple[str, str] | None] = event_owner,
        derivers: Mapping[str, Deriver] | None = None,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._gate = gate
        self._manifest = manifest
        self._consent_owner = consent_owner
        self._derivers = dict(derivers or {})
        for tag in self._derivers:
            self._check_data(tag)  # a deriver for an item the manifest does not know is a typo

    @classmethod
    def of(
        cls, ctx: TenantContext, *, gate: DecisionGate, derivers: Mapping[str, Deriver] | None = None
    ) -> ProfileStore:
        return cls(ctx.db, **ctx.scope, gate=gate, manifest=ctx.manifest, derivers=derivers)

    # ------------------------------------------------------------------ writes

    def set(
        self,
        subject: str,
        data_id: str,
        value: Any,
        *,
        purposes: Iterable[str],
        consent_event_id: str | None,
    ) -> Attribute:
        """Stores what the person typed, replacing any earlier value of the same item."""
        with self._db.transaction() as session:
            return self.set_in(
                session, subject, data_id, value, purposes=purposes, consent_event_id=consent_event_id
            )

    def set_in(
        self,
        session: Session,
        subject: str,
        data_id: str,
        value: Any,
        *,
        purposes: Iterable[str],
        consent_event_id: str | None,
    ) -> Attribute:
        """`set` inside a caller's transaction, so onboarding commits answers and progress together."""
        if consent_event_id is not None:
            self._check_consent_event(session, subject, consent_event_id)
        row = self._new_row(subject, data_id, value, purposes, AttributeSource.TYPED)
        row.consent_event_id = consent_event_id
        return self._store(session, row, "profile.set")

    def derive(
        self,
        subject: str,
        data_id: str,
        value: Any,
        *,
        derived_from: Iterable[str],
        purposes: Iterable[str],
    ) -> Attribute:
        """Stores a tag computed from the subject's current attributes, keeping its lineage."""
        sources = tuple(dict.fromkeys(derived_from))
        row = self._new_row(subject, data_id, value, purposes, AttributeSource.DERIVED)
        row.derived_from = list(sources)
        with self._db.transaction() as session:
            found = ProfileRepository(session, tenant=self._tenant).by_ids(subject, sources)
            declared = self._manifest.data_item(data_id).derived_from
            for source in sources:
                if source not in found:
                    raise UnknownAttribute.from_key(
                        "runtime.unknown_attribute", attribute=source, subject=subject
                    )
                if declared and found[source].data_id not in declared:
                    raise UndeclaredLineage.from_key(
                        "runtime.undeclared_lineage",
                        data=data_id,
                        source=found[source].data_id,
                        declared=", ".join(declared),
                    )
            return self._store(session, row, "profile.derive")

    def correct(self, subject: str, data_id: str, value: Any) -> Correction:
        """Replaces what the person typed with the value they say is accurate (PIPL 46), and redoes
        every tag that rested on the old value, in one transaction."""
        with self._db.transaction() as session:
            return self.correct_in(session, subject, data_id, value)

    def correct_in(self, session: Session, subject: str, data_id: str, value: Any) -> Correction:
        """`correct` inside a caller's transaction, so a rights request commits with its outcome.

        The corrected value keeps the purposes and the consent event of the old one: a correction
        changes what is true about the person, not what they agreed to."""
        self._check_data(data_id)
        old = ProfileRepository(session, tenant=self._tenant).current(subject, data_id)
        if old is None:
            raise NothingToCorrect.from_key("runtime.nothing_to_correct", data=data_id, subject=subject)
        previous = to_attribute(old)
        if previous.source is AttributeSource.DERIVED:
            declared = self._manifest.data_item(data_id).derived_from
            raise DerivedNotCorrectable.from_key(
                "runtime.derived_not_correctable",
                data=data_id,
                sources=", ".join(declared or previous.derived_from),
            )
        row = self._new_row(subject, data_id, value, previous.purposes, AttributeSource.TYPED)
        row.consent_event_id = previous.consent_event_id
        current = self._store(session, row, "profile.corrected")
        recomputed, dropped = self._redo_dependents(
            session, subject, previous.attribute_id, current.attribute_id
        )
        return Correction(previous, current, recomputed, dropped)

    # ------------------------------------------------------------------ reads

    def read(self, subject: str, purpose: str) -> dict[str, Any]:
        """The values the gate lets `purpose` use now, keyed by data item.

        An attribute is in scope for a purpose it was collected for, or one the manifest (and so the
        notice) declares it for — a phone number given to log in may carry marketing SMS once the person
        consents to that. Either way the gate must allow that purpose for that item right now."""
        self._check_purposes([purpose])
        declared = set(self._manifest.purpose(purpose).data)
        with self._db.reading() as session:
            rows = ProfileRepository(session, tenant=self._tenant).of_subject(subject)
        by_id = {row.attribute_id: row for row in rows}
        readable: dict[str, bool] = {}

        def is_readable(attribute_id: str) -> bool:
            if attribute_id not in readable:
                row = by_id.get(attribute_id)
                # A lineage that no longer resolves (a replaced value) is not readable: the tag is stale.
                readable[attribute_id] = (
                    row is not None
                    and (purpose in row.purposes or row.data_id in declared)
                    and self._gate.decide(subject, purpose, row.data_id).allowed
                    and all(is_readable(source) for source in row.derived_from)
                )
            return readable[attribute_id]

        return {row.data_id: row.value for row in rows if is_readable(row.attribute_id)}

    def attributes(self, subject: str) -> list[Attribute]:
        """Everything held about the subject, whatever its purpose (for the person's own copy)."""
        with self._db.reading() as session:
            return [
                to_attribute(row)
                for row in ProfileRepository(session, tenant=self._tenant).of_subject(subject)
            ]

    # ------------------------------------------------------------------ lineage

    def _redo_dependents(
        self, session: Session, subject: str, replaced: str, by: str
    ) -> tuple[tuple[Attribute, ...], tuple[str, ...]]:
        """Computes again every tag whose lineage reaches `replaced` (a tag of a tag too) from the value
        `by` that replaced it and the tag's other sources, or deletes it.

        A tag is deleted when no deriver is registered for it, or when a source it needs no longer
        resolves (dropped here, or replaced earlier): keeping it would keep an inaccurate picture of
        the person that nothing can put right."""
        repository = ProfileRepository(session, tenant=self._tenant)
        rows = repository.of_subject(subject)
        current = {row.attribute_id: row for row in rows}
        new_ids = {replaced: by}  # old attribute id -> the id of the value that replaced it
        recomputed: list[Attribute] = []
        dropped: list[str] = []
        for tag in dependents(rows, [replaced]):
            del current[tag.attribute_id]
            lineage = [new_ids.get(source, source) for source in tag.derived_from]
            deriver = self._derivers.get(tag.data_id)
            sources = [current[source] for source in lineage if source in current]
            if deriver is None or len(sources) != len(lineage):
                repository.delete(subject, tag.attribute_id)
                self._audit.record_change(session, "profile.dropped", _dropped_audit(tag))
                dropped.append(tag.data_id)
                continue
            row = self._new_row(
                subject,
                tag.data_id,
                deriver({source.data_id: source.value for source in sources}),
                tag.purposes,
                AttributeSource.DERIVED,
            )
            row.derived_from = lineage
            row.consent_event_id = tag.consent_event_id
            recomputed.append(self._store(session, row, "profile.derive"))
            new_ids[tag.attribute_id] = row.attribute_id
            current[row.attribute_id] = row
        return tuple(recomputed), tuple(dropped)

    # ------------------------------------------------------------------ helpers

    def _check_consent_event(self, session: Session, subject: str, event_id: str) -> None:
        """An attribute may rest only on a consent event of this tenant and this person."""
        owner = self._consent_owner(session, event_id)
        if owner is None:
            raise UnknownConsentEvent.from_key("runtime.unknown_consent_event", event=event_id)
        tenant, event_subject = owner
        if tenant != self._tenant:
            raise TenantMismatch.from_key("runtime.tenant_mismatch", actual=tenant, expected=self._tenant)
        if event_subject != subject:
            raise UnknownConsentEvent.from_key(
                "runtime.consent_event_of_other_subject", event=event_id, subject=subject
            )

    def _new_row(
        self, subject: str, data_id: str, value: Any, purposes: Iterable[str], source: AttributeSource
    ) -> ProfileAttributeRow:
        self._check_data(data_id)
        bound = list(dict.fromkeys(purposes))
        self._check_purposes(bound)
        return ProfileAttributeRow(
            tenant_id=self._tenant,
            attribute_id=self._ids.new_id(),
            subject=subject,
            data_id=data_id,
            source=source.value,
            value=value,
            purposes=bound,
            consent_event_id=None,
            derived_from=[],
            created_at=self._clock.now(),
        )

    def _store(self, session: Session, row: ProfileAttributeRow, kind: str) -> Attribute:
        repository = ProfileRepository(session, tenant=self._tenant)
        old = repository.current(row.subject, row.data_id)
        replaced = old.attribute_id if old is not None else None
        repository.replace(row)
        # Ids and purposes only: the audit log never holds the personal value itself.
        self._audit.record_change(
            session,
            kind,
            {
                "subject": row.subject,
                "data": row.data_id,
                "attribute_id": row.attribute_id,
                "replaced": replaced,
                "purposes": list(row.purposes),
                "consent_event_id": row.consent_event_id,
                "derived_from": list(row.derived_from),
            },
        )
        return to_attribute(row)

    def _check_data(self, data_id: str) -> None:
        known = self._manifest.data_by_id
        if data_id not in known:
            raise UnknownDataItem.from_key(
                "runtime.unknown_data", data=data_id, hint=hint(data_id, known), known=", ".join(known)
            )

    def _check_purposes(self, purposes: Iterable[str]) -> None:
        known = self._manifest.purposes_by_id
        for purpose in purposes:
            if purpose not in known:
                raise UnknownPurpose.from_key(
                    "runtime.unknown_purpose",
                    purpose=purpose,
                    hint=hint(purpose, known),
                    known=", ".join(known),
                )


def _dropped_audit(tag: ProfileAttributeRow) -> dict[str, Any]:
    # Ids only, like every profile record: the tag's value goes with it and is never logged.
    return {
        "subject": tag.subject,
        "data": tag.data_id,
        "attribute_id": tag.attribute_id,
        "purposes": list(tag.purposes),
        "derived_from": list(tag.derived_from),
    }
