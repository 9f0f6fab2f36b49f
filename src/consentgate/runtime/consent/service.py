"""The consent ledger: validated, append-only consent events and the projection readers ask.

Every write is one transaction holding the events, the projection rows they change and their
audit-log change records; subscribers hear about a subject only after that transaction commits.
What makes an event acceptable is checked first, in `validation.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from consentgate.manifest.models import Manifest
from consentgate.runtime.changes.journal import ChangeJournal
from consentgate.runtime.consent.events import EVIDENCE_DIGEST, evidence_digest
from consentgate.runtime.consent.export import consent_records
from consentgate.runtime.consent.projection import apply, fold
from consentgate.runtime.consent.repository import ConsentRepository, Draft
from consentgate.runtime.consent.rows import evidence_document
from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    ConsentFact,
    EventKind,
    Evidence,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.consent.statistics import ConsentStatistics, tally
from consentgate.runtime.consent.validation import EventValidator
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.notices.service import ChangeRecorder, NoticeService
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database


class ConsentLedger:
    """Records consent events for one tenant and keeps the current facts projected from them."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeRecorder,
        notices: NoticeService,
        policy: Policy,
        manifest: Manifest | None = None,
        journal: ChangeJournal | None = None,
    ) -> None:
        self._journal = journal  # tells other processes' caches; None when only this process matters
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._notices = notices
        self._policy = policy
        self._manifest = manifest  # only for exports: controller, data categories, recipient names
        self._repo = ConsentRepository(tenant, db.dialect)
        self._validator = EventValidator(policy, notices)
        self._listeners: list[Callable[[str], None]] = []
        self._listeners_lock = threading.Lock()
        self._ids_lock = threading.Lock()

    @classmethod
    def of(
        cls, ctx: TenantContext, *, notices: NoticeService, journal: ChangeJournal | None = None
    ) -> ConsentLedger:
        return cls(
            ctx.db, **ctx.scope, notices=notices, policy=ctx.policy, manifest=ctx.manifest, journal=journal
        )

    # ------------------------------------------------------------------ subjects

    def register_subject(self, subject: str) -> None:
        """Makes `subject` known to the ledger; registering twice changes nothing."""
        self.register_subjects([subject])

    def register_subjects(self, subjects: Iterable[str]) -> None:
        with self._db.transaction() as session:
            new = self._repo.add_subjects(session, subjects, self._clock.now())
            if new:
                self._audit.record_change(session, "subject.registered", {"subjects": new})

    def known_subject(self, subject: str) -> bool:
        with self._db.reading() as session:
            return bool(self._repo.known_subjects(session, [subject]))

    def ref(self, subject: str) -> str:
        """The random name the append-only stores (events, audit log) know the person by."""
        with self._db.reading() as session:
            refs = self._repo.refs(session, [subject])
        if subject not in refs:
            raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
        return refs[subject]

    def erase_in(self, session: Session, subjects: Sequence[str]) -> dict[str, tuple[str, dict[str, int]]]:
        """Forgets the people inside the caller's transaction: their current facts and the rows that map
        their refs to them go; the events stay, under refs nothing maps back to anyone. Returns each
        person's former ref and rows removed per table. Listeners (the gate) hear of it after commit."""
        refs = self._repo.refs(session, subjects, lock=True)
        for subject in subjects:
            if subject not in refs:
                raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
        removed = self._repo.erase(session, subjects)
        self._journaled(session, refs.values())
        gone = list(subjects)
        sa_event.listen(session, "after_commit", lambda _session: self._notify(gone), once=True)
        return {subject: (refs[subject], removed[subject]) for subject in subjects}

    def subjects_of(self, refs: Iterable[str]) -> dict[str, str]:
        """ref -> subject id for the refs of people still registered (an erased person's ref maps to no one)."""
        with self._db.reading() as session:
            return self._repo.subjects_of(session, refs)

    def restricted(self, subject: str) -> bool:
        """Whether the person restricted processing (PIPL 44): then nothing but storage may happen."""
        with self._db.reading() as session:
            return self._repo.restricted_since(session, subject) is not None

    def set_restriction_in(self, session: Session, subject: str, *, restricted: bool) -> bool:
        """Restricts (or lifts the restriction on) processing of the person's data, inside the caller's
        transaction; returns whether anything changed. Listeners hear of the subject after commit, so
        the gate's next decision for them already sees it."""
        if not self._repo.refs(session, [subject], lock=True):
            raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
        since = self._clock.now() if restricted else None
        if not self._repo.set_restricted_since(session, subject, since):
            return False
        self._journaled(session, self._repo.refs(session, [subject]).values())
        kind = "subject.restricted" if restricted else "subject.restriction_lifted"
        self._audit.record_change(session, kind, {"subject": subject})
        sa_event.listen(session, "after_commit", lambda _session: self._notify([subject]), once=True)
        return True

    # ------------------------------------------------------------------ writing events

    def record(self, event: NewConsentEvent) -> ConsentEvent:
        """Validates and appends one event (see `record_many`)."""
        return self.record_many([event])[0]

    def record_many(self, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]:
        """Appends a batch in ONE transaction: every event is written with its projection change and
        audit record, or — if any event is invalid — none is."""
        if not events:
            return []
        with self._db.transaction() as session:
            return self.record_many_in(session, events)

    def record_many_in(self, session: Session, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]:
        """`record_many` inside a caller's transaction, so that the caller's own writes (an onboarding
        answer, say) commit together with the consent they rest on. Subscribers hear about the
        subjects once that transaction commits, and never if it rolls back."""
        if not events:
            return []
        for event in events:
            self._validator.validate(event)
        subjects = list(dict.fromkeys(e.subject for e in events))
        if len(subjects) > 1:
            self._repo.prefer_custom_plans(session)
        refs = self._repo.refs(session, subjects, lock=True)
        for subject in subjects:
            if subject not in refs:
                raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
        with self._ids_lock:  # id factories (e.g. the test fakes) need not be thread-safe
            drafts = [Draft(self._ids.new_id(), self._clock.now(), event) for event in events]
        recorded = self._repo.append(session, drafts, refs)
        before = self._repo.facts(session, subjects)
        after = {subject: dict(facts) for subject, facts in before.items()}
        for written in recorded:
            after[written.subject] = apply(after[written.subject], written)
        new, changed = _differences(before, after)
        self._repo.save_facts(session, new, changed)
        self._journaled(session, refs.values())
        # One chain record per call, naming every event: a batch pays one link of the
        # tenant-wide chain, not one each. Last, because it holds the chain head until commit.
        self._audit.record_change(
            session, "consent.recorded", {"events": [_audit_payload(e) for e in recorded]}
        )
        sa_event.listen(session, "after_commit", lambda _session: self._notify(subjects), once=True)
        return recorded

    def give(
        self,
        subject: str,
        purpose: str,
        *,
        notice_id: str,
        notice_version: str,
        data: Iterable[str] = (),
        recipient: str | None = None,
        mechanism: Mechanism = Mechanism.IN_FLOW,
        channel: str | None = None,
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ConsentEvent:
        return self.record(
            NewConsentEvent(
                subject=subject,
                purpose=purpose,
                kind=EventKind.GIVEN,
                data=tuple(data),
                recipient=recipient,
                notice_id=notice_id,
                notice_version=notice_version,
                mechanism=mechanism,
                channel=channel,
                evidence=evidence,
            )
        )

    def refuse(
        self,
        subject: str,
        purpose: str,
        *,
        recipient: str | None = None,
        notice_id: str | None = None,
        notice_version: str | None = None,
        mechanism: Mechanism = Mechanism.IN_FLOW,
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ConsentEvent:
        return self.record(
            NewConsentEvent(
                subject=subject,
                purpose=purpose,
                kind=EventKind.REFUSED,
                recipient=recipient,
                notice_id=notice_id,
                notice_version=notice_version,
                mechanism=mechanism,
                evidence=evidence,
            )
        )

    def withdraw(
        self,
        subject: str,
        purpose: str,
        *,
        recipient: str | None = None,
        mechanism: Mechanism = Mechanism.SETTINGS,
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ConsentEvent:
        """Withdraws consent; without a recipient, for the purpose and every recipient of it."""
        return self.record(
            NewConsentEvent(
                subject=subject,
                purpose=purpose,
                kind=EventKind.WITHDRAWN,
                recipient=recipient,
                mechanism=mechanism,
                evidence=evidence,
            )
        )

    # ------------------------------------------------------------------ reading

    def facts(self, subject: str) -> SubjectFacts:
        """The subject's current facts from the projection; `UnknownSubject` if never registered."""
        with self._db.reading() as session:
            if not self._repo.known_subjects(session, [subject]):
                raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
            return self._repo.facts(session, [subject])[subject]

    def standing(self, subject: str) -> tuple[SubjectFacts, bool]:
        """The person's facts and whether processing is restricted, in one read transaction: what the
        gate needs on a cache miss (it may run on the service's event loop, so it is kept short)."""
        with self._db.reading() as session:
            registered, restricted = self._repo.registration(session, subject)
            if not registered:
                raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
            return self._repo.facts(session, [subject])[subject], restricted

    def events(self, subject: str | None = None) -> list[ConsentEvent]:
        """Events in ledger order, of one subject or of the whole tenant."""
        with self._db.reading() as session:
            return self._repo.events(session, subject)

    def projection(self) -> dict[str, SubjectFacts]:
        """The whole tenant's projected facts (for checks against `fold(events())`)."""
        with self._db.reading() as session:
            return self._repo.projection(session)

    def statistics(self) -> ConsentStatistics:
        """People per purpose, notice version and status, and the live consents resting on versions
        no longer acceptable (those people must consent again); one GROUP BY, whatever the tenant's size."""
        with self._db.reading() as session:
            counts = self._repo.status_counts(session)
        return tally(counts, self._notices.acceptable_versions())

    def rebuild(self) -> int:
        """Recomputes the projection from the events in one transaction; returns the events folded."""
        with self._db.transaction() as session:
            self._repo.block_writers(session)
            counted = _Counter()
            state = fold(counted.through(self._repo.stream_for_fold(session)))
            self._repo.replace_projection(session, state)
            self._audit.record_change(session, "consent.projection_rebuilt", {"events": counted.value})
        self._notify(list(state))
        return counted.value

    def export_records(self, subject: str) -> list[dict[str, Any]]:
        """The subject's consents as ISO/IEC 27560-style records (see `consent.export`)."""
        facts = self.facts(subject)
        return consent_records(
            subject,
            tenant=self._tenant,
            facts=facts,
            events=self.events(subject),
            policy=self._policy,
            notices=self._notices.find,
            manifest=self._manifest,
        )

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """`listener(subject)` runs after each commit that changed the subject's facts."""
        with self._listeners_lock:
            self._listeners.append(listener)

    # ------------------------------------------------------------------ internals

    def _journaled(self, session: Session, refs: Iterable[str]) -> None:
        if self._journal is not None:
            self._journal.record_in(session, refs)

    def _notify(self, subjects: Iterable[str]) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for subject in subjects:
            for listener in listeners:
                listener(subject)


class _Counter:
    """Counts what passes through an iterator without holding on to it."""

    def __init__(self) -> None:
        self.value = 0

    def through(self, items: Iterable[ConsentEvent]) -> Iterable[ConsentEvent]:
        for item in items:
            self.value += 1
            yield item


def _differences(
    before: dict[str, SubjectFacts], after: dict[str, SubjectFacts]
) -> tuple[list[ConsentFact], list[ConsentFact]]:
    """Facts for keys not held before (to insert) and facts that replaced earlier ones (to update)."""
    new: list[ConsentFact] = []
    changed: list[ConsentFact] = []
    for subject, facts in after.items():
        old = before[subject]
        for key, fact in facts.items():
            previous = old.get(key)
            if previous is None:
                new.append(fact)
            elif previous is not fact:
                changed.append(fact)
    return new, changed


def _audit_payload(event: ConsentEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "seq": event.seq,
        "subject": event.subject,
        "purpose": event.purpose,
        "kind": event.kind.value,
        "data": list(event.data),
        "recipient": event.recipient,
        "notice_id": event.notice_id,
        "notice_version": event.notice_version,
        "mechanism": event.mechanism.value,
        "channel": event.channel,
        "occurred_at": event.occurred_at.isoformat(),
        # Binds the evidence column too (auditlog verify), without copying it into the chain.
        EVIDENCE_DIGEST: evidence_digest(evidence_document(event.evidence)),
    }
