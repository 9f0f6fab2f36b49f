"""Carrying out a verified request: copy, correct, delete, cancel the account, restrict, withdraw all.

Each kind does its writes and closes the request in ONE transaction, so a request is never marked
done without its effect, nor its effect left without the request closed. Work that talks to the
outside (telling recipients) happens before or after that transaction and is retried by the sharing
service's `reconcile()` if it fails; the request's outcome never depends on a recipient answering.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    EventKind,
    Evidence,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.context import TenantContext
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.schemas import Correction
from consentgate.runtime.rights.certificate import KEPT, DeletionCertificate, RecipientTold, to_row
from consentgate.runtime.rights.erasure import erase_rows_in
from consentgate.runtime.rights.export import export_zip
from consentgate.runtime.rights.holdings import Holdings
from consentgate.runtime.rights.models import RightsExportRow, RightsRequestRow
from consentgate.runtime.rights.schemas import (
    OPEN_STATUSES,
    Action,
    Move,
    RequestStatus,
    RightsKind,
    RightsRequest,
)
from consentgate.runtime.sharing.schemas import NotificationRecord
from consentgate.store.database import Database

# How long a copy stays downloadable: long enough to fetch, short enough not to become a second store.
EXPORT_LIFETIME = timedelta(days=7)
_OPEN = sorted(status.value for status in OPEN_STATUSES)


class Lifecycle(Protocol):
    def move_in(
        self,
        session: Session,
        request_id: str,
        action: Action,
        *,
        details: dict[str, Any] | None = None,
        audit: dict[str, Any] | None = None,
    ) -> RightsRequest: ...
    def move_many_in(self, session: Session, moves: Sequence[Move]) -> list[RightsRequest]: ...


class Ledger(Protocol):
    def facts(self, subject: str) -> SubjectFacts: ...
    def record_many_in(self, session: Session, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]: ...
    def set_restriction_in(self, session: Session, subject: str, *, restricted: bool) -> bool: ...
    def erase_in(
        self, session: Session, subjects: Sequence[str]
    ) -> dict[str, tuple[str, dict[str, int]]]: ...


class Profiles(Protocol):
    def correct_in(self, session: Session, subject: str, data_id: str, value: Any) -> Correction: ...


class Recipients(Protocol):
    def notify_deletions(self, subjects: Sequence[str]) -> dict[str, list[NotificationRecord]]: ...
    def notify_correction(self, subject: str, data_ids: Iterable[str]) -> list[NotificationRecord]: ...


class Audit(Protocol):
    def record_change(self, session: Session, kind: str, payload: Any) -> None: ...
    def record_changes(self, session: Session, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None: ...


class Fulfilment:
    """Does what a request asks, for one tenant; `RightsService.fulfil` drives it."""

    def __init__(
        self,
        *,
        db: Database,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: Audit,
        ledger: Ledger,
        profiles: Profiles,
        recipients: Recipients,
        gather: Callable[[str, str], Holdings],
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._ledger = ledger
        self._profiles = profiles
        self._recipients = recipients
        self._gather = gather
        self._ids_lock = threading.Lock()

    @classmethod
    def of(
        cls,
        ctx: TenantContext,
        *,
        ledger: Ledger,
        profiles: Profiles,
        recipients: Recipients,
        gather: Callable[[str, str], Holdings],
    ) -> Fulfilment:
        return cls(
            db=ctx.db, **ctx.scope, ledger=ledger, profiles=profiles, recipients=recipients, gather=gather
        )

    def carry_out(self, request: RightsRequest, lifecycle: Lifecycle) -> RightsRequest:
        """Does the request (already in progress) and closes it as done."""
        handler = {
            RightsKind.COPY: self._copy,
            RightsKind.CORRECT: self._correct,
            RightsKind.DELETE: self._erase,
            RightsKind.CANCEL_ACCOUNT: self._erase,
            RightsKind.RESTRICT: self._restrict,
            RightsKind.WITHDRAW_ALL: self._withdraw_all,
        }[request.kind]
        return handler(request, lifecycle)

    def lift_restriction(self, subject: str) -> bool:
        """Ends a restriction (the person asked, or the ground for it ended); False if there was none."""
        with self._db.transaction() as session:
            return self._ledger.set_restriction_in(session, subject, restricted=False)

    # ------------------------------------------------------------------ kinds

    def _copy(self, request: RightsRequest, lifecycle: Lifecycle) -> RightsRequest:
        content = export_zip(self._gather(request.subject, request.request_id))
        digest = hashlib.sha256(content).hexdigest()
        now = self._clock.now()
        with self._db.transaction() as session:
            session.add(
                RightsExportRow(
                    tenant_id=self._tenant,
                    request_id=request.request_id,
                    subject=request.subject,
                    content=content,
                    sha256=digest,
                    created_at=now,
                    expires_at=now + EXPORT_LIFETIME,
                )
            )
            return lifecycle.move_in(
                session,
                request.request_id,
                Action.COMPLETE,
                audit={"export_sha256": digest, "export_bytes": len(content)},
            )

    def _correct(self, request: RightsRequest, lifecycle: Lifecycle) -> RightsRequest:
        data_id = str(request.details["data"])
        with self._db.transaction() as session:
            correction = self._profiles.correct_in(
                session, request.subject, data_id, request.details["value"]
            )
            outcome = {
                "recomputed": [tag.data_id for tag in correction.recomputed],
                "dropped": list(correction.dropped),
            }
            # The new value is now in the profile; the request keeps which item, never the value.
            done = lifecycle.move_in(
                session,
                request.request_id,
                Action.COMPLETE,
                details={"data": data_id, "outcome": outcome},
                audit={"data": data_id} | outcome,
            )
        self._recipients.notify_correction(request.subject, correction.changed)
        return done

    def _restrict(self, request: RightsRequest, lifecycle: Lifecycle) -> RightsRequest:
        with self._db.transaction() as session:
            self._ledger.set_restriction_in(session, request.subject, restricted=True)
            return lifecycle.move_in(session, request.request_id, Action.COMPLETE)

    def _withdraw_all(self, request: RightsRequest, lifecycle: Lifecycle) -> RightsRequest:
        evidence = Evidence(screen_id=f"rights-request:{request.request_id}")
        live = [
            NewConsentEvent(
                subject=request.subject,
                purpose=purpose,
                kind=EventKind.WITHDRAWN,
                recipient=recipient,
                mechanism=Mechanism.SETTINGS,
                evidence=evidence,
            )
            for (purpose, recipient), fact in sorted(
                self._ledger.facts(request.subject).items(), key=lambda item: (item[0][0], item[0][1] or "")
            )
            if fact.status is EventKind.GIVEN
        ]
        with self._db.transaction() as session:
            self._ledger.record_many_in(session, live)
            return lifecycle.move_in(
                session, request.request_id, Action.COMPLETE, audit={"withdrawn": len(live)}
            )

    def _erase(self, request: RightsRequest, lifecycle: Lifecycle) -> RightsRequest:
        return self.erase_many([request], lifecycle)[0]

    def erase_many(self, requests: Sequence[RightsRequest], lifecycle: Lifecycle) -> list[RightsRequest]:
        """Carries out deletion and cancellation requests (verified or in progress) in ONE transaction.

        Statements are per table for the whole batch, so erasing many people (a backlog, a retention
        sweep) costs little more than erasing one. A person with two such requests is erased once; the
        other request is closed by the erasure like any other open request of theirs.
        """
        first: dict[str, RightsRequest] = {}
        for request in requests:
            first.setdefault(request.subject, request)
        batch = list(first.values())
        # Recipients first, while the transfer log still says who received what (PIPL 47 para 1 and
        # GB/T 35273 8.5: the person's data held elsewhere on our behalf must go too).
        told = self._recipients.notify_deletions([r.subject for r in batch])
        with self._ids_lock:
            certificate_ids = {r.subject: self._ids.new_id() for r in batch}
        with self._db.transaction() as session:
            self._close_others(session, batch)
            lifecycle.move_many_in(
                session,
                [
                    Move(r.request_id, Action.START)
                    for r in batch
                    if r.status is RequestStatus.IDENTITY_VERIFIED
                ],
            )
            done = lifecycle.move_many_in(
                session,
                [
                    Move(
                        r.request_id,
                        Action.COMPLETE,
                        details={"certificate": certificate_ids[r.subject]},
                        audit={"certificate": certificate_ids[r.subject]},
                    )
                    for r in batch
                ],
            )
            forgotten = self._ledger.erase_in(session, [r.subject for r in batch])
            refs = {subject: ref for subject, (ref, _) in forgotten.items()}
            erased = erase_rows_in(
                session,
                tenant=self._tenant,
                people=refs,
                closing={r.subject: {"erased_by": r.request_id} for r in batch},
                answering={r.request_id for r in batch},
            )
            now = self._clock.now()
            records: list[tuple[str, Mapping[str, Any]]] = []
            for request in batch:
                rows = erased[request.subject]
                counts = forgotten[request.subject][1] | dict(rows.removed)
                counts |= {f"{table} (kept)": n for table, n in rows.rewritten.items()}
                certificate = DeletionCertificate(
                    certificate_id=certificate_ids[request.subject],
                    request_id=request.request_id,
                    subject_ref=refs[request.subject],
                    kind=request.kind.value,
                    received_at=request.received_at,
                    erased_at=now,
                    erased=counts,
                    recipients_notified=tuple(
                        RecipientTold(n.recipient, n.purpose, n.notification_id, n.status.value)
                        for n in told[request.subject]
                    ),
                    kept=KEPT,
                )
                session.add(to_row(certificate, tenant=self._tenant))
                records.append(
                    (
                        "rights.erased",
                        {
                            "request": request.request_id,
                            "certificate": certificate.certificate_id,
                            "subject_ref": certificate.subject_ref,
                            "erased": counts,
                        },
                    )
                )
            self._audit.record_changes(session, records)
        self._db.scrub()
        return [replace(d, subject=refs[d.subject]) for d in done]  # as stored from now on: the id is gone

    def _close_others(self, session: Session, answering: Sequence[RightsRequest]) -> None:
        """The people's other open requests end with the erasure: nothing is left to copy or correct."""
        subjects = sorted({r.subject for r in answering})
        others = session.execute(
            select(RightsRequestRow.request_id, RightsRequestRow.subject).where(
                RightsRequestRow.tenant_id == self._tenant,
                RightsRequestRow.subject.in_(subjects),
                RightsRequestRow.status.in_(_OPEN),
                RightsRequestRow.request_id.not_in([r.request_id for r in answering]),
            )
        ).all()
        if not others:
            return
        now = self._clock.now()
        session.execute(
            update(RightsRequestRow)
            .where(
                RightsRequestRow.tenant_id == self._tenant,
                RightsRequestRow.request_id.in_([row.request_id for row in others]),
            )
            .values(status=RequestStatus.DONE.value, open_kind=None, finished_at=now, updated_at=now)
        )
        self._audit.record_change(
            session,
            "rights.closed_by_erasure",
            {
                "requests": [row.request_id for row in others],
                "subjects": sorted({row.subject for row in others}),
            },
        )
