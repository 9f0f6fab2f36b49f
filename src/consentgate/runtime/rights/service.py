"""The rights-request service: receive, verify, work on and close a person's requests (PIPL 44-50).

Every request moves received -> identity-verified -> in-progress -> done, or to refused from any open
state with a reason the law allows and its citation (PIPL 50: a refusal states its reason). Each step
is one transaction that also appends its audit record, so the log never misses a step that happened.
A request repeated while one of its kind is open for the person returns the open one: a user who taps
"delete my data" twice has one request and one deadline, not two. The deadline (`due_on`) is fixed at
receipt: 15 official working days (PIPL 50, AVIM 6.3), counted by `rights.deadlines`.

Carrying a request out (`fulfil`) is delegated to `fulfilment.Fulfilment`, which the Engine wires
with the services it needs; this module keeps the lifecycle.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.rights.certificate import DeletionCertificate, to_certificate
from consentgate.runtime.rights.errors import (
    BadRightsDetails,
    IllegalRightsTransition,
    NoCertificate,
    NoExport,
    NoFulfilment,
    RefusalNotApplicable,
    UnknownRefusalReason,
    UnknownRightsKind,
    UnknownRightsRequest,
)
from consentgate.runtime.rights.fulfilment import Fulfilment
from consentgate.runtime.rights.models import RightsRequestRow
from consentgate.runtime.rights.repository import RightsRepository, to_request
from consentgate.runtime.rights.repository import aware as _aware
from consentgate.runtime.rights.schemas import (
    ERASING,
    OPEN_STATUSES,
    REFUSAL_REASONS,
    TRANSITIONS,
    Action,
    Move,
    RefusalReason,
    RequestStatus,
    RightsKind,
    RightsRequest,
)
from consentgate.store.database import Database


class _Audit(Protocol):
    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None: ...
    def record_changes(self, session: Session, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None: ...


class _Subjects(Protocol):
    def known_subject(self, subject: str) -> bool: ...


class RightsService:
    """One tenant's data-subject requests and their lifecycle."""

    def __init__(
        self,
        *,
        db: Database,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: _Audit,
        ledger: _Subjects,
        fulfilment: Fulfilment | None = None,
    ) -> None:
        self._fulfilment = fulfilment
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._ledger = ledger
        self._ids_lock = threading.Lock()  # id factories (e.g. the test fakes) need not be thread-safe

    @classmethod
    def of(
        cls, ctx: TenantContext, *, ledger: _Subjects, fulfilment: Fulfilment | None = None
    ) -> RightsService:
        return cls(db=ctx.db, **ctx.scope, ledger=ledger, fulfilment=fulfilment)

    # ------------------------------------------------------------------ receiving

    def request(
        self, subject: str, kind: RightsKind | str, *, details: Mapping[str, Any] | None = None
    ) -> RightsRequest:
        """Receives a request; while one of the same kind is open for `subject`, returns that one."""
        parsed = _kind(kind)
        _check_details(parsed, details or {})
        if not self._ledger.known_subject(subject):
            raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
        # Imported here: the deadline module is its own piece and only this step needs it.
        from consentgate.runtime.rights.deadlines import due_date

        now = self._clock.now()
        due_on = due_date(now)
        with self._ids_lock:
            request_id = self._ids.new_id()
        with self._db.transaction() as session:
            repo = RightsRepository(session, tenant=self._tenant)
            existing = repo.open_of(subject, parsed.value)
            if existing is not None:
                return to_request(existing)
            row = repo.add_unless_open(
                {
                    "request_id": request_id,
                    "subject": subject,
                    "kind": parsed.value,
                    "open_kind": parsed.value,
                    "status": RequestStatus.RECEIVED.value,
                    "details": dict(details or {}),
                    "received_at": now,
                    "due_on": due_on,
                    "verified_at": None,
                    "started_at": None,
                    "finished_at": None,
                    "refusal_reason": None,
                    "refusal_citations": [],
                    "updated_at": now,
                }
            )
            if row.request_id != request_id:  # another process received the same request meanwhile
                return to_request(row)
            self._audit.record_change(
                session,
                f"rights.{RequestStatus.RECEIVED.value}",
                {
                    "request": request_id,
                    "subject": subject,
                    "kind": parsed.value,
                    "due_on": due_on.isoformat(),
                },
            )
            return to_request(row)

    # ------------------------------------------------------------------ lifecycle

    def verify_identity(self, request_id: str) -> RightsRequest:
        """Records that the requester was checked to be the person the request concerns."""
        return self._move(request_id, Action.VERIFY_IDENTITY)

    def start(self, request_id: str) -> RightsRequest:
        return self._move(request_id, Action.START)

    def complete(self, request_id: str) -> RightsRequest:
        return self._move(request_id, Action.COMPLETE)

    def fulfil(self, request_id: str) -> RightsRequest:
        """Carries out a verified request and closes it as done, in one step for the caller.

        A request still `received` is refused here: identity comes first (PIPL 50). One left
        `in-progress` by a crash is carried out again — each kind's effect commits with the close.
        """
        return self.fulfil_many([request_id])[0]

    def fulfil_many(self, request_ids: Sequence[str], *, batch: int = 500) -> list[RightsRequest]:
        """`fulfil` for many requests; deletions and cancellations go `batch` people per transaction."""
        fulfilment = self._fulfilment
        if fulfilment is None:
            raise NoFulfilment.from_key("runtime.rights_no_fulfilment")
        results: dict[str, RightsRequest] = {}
        erasures: list[RightsRequest] = []
        with self._db.reading() as session:
            found = RightsRepository(session, tenant=self._tenant).get_many(request_ids)
            stored = {request_id: to_request(row) for request_id, row in found.items()}
        for request_id in request_ids:
            request = stored.get(request_id)
            if request is None:
                raise UnknownRightsRequest.from_key("runtime.unknown_rights_request", request=request_id)
            if request.status not in {RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS}:
                self._move(request_id, Action.START)  # raises the typed "cannot start" error
            if request.kind in ERASING:
                erasures.append(request)
                continue
            if request.status is RequestStatus.IDENTITY_VERIFIED:
                request = self.start(request_id)
            results[request_id] = fulfilment.carry_out(request, self)
        for start in range(0, len(erasures), batch):
            for done in fulfilment.erase_many(erasures[start : start + batch], self):
                results[done.request_id] = done
        # A person's second erasure request in the same batch was closed by the first.
        return [results[i] if i in results else self.get(i) for i in request_ids]

    def lift_restriction(self, subject: str) -> bool:
        """Ends the person's restriction of processing; False if there was none."""
        if self._fulfilment is None:
            raise NoFulfilment.from_key("runtime.rights_no_fulfilment")
        return self._fulfilment.lift_restriction(subject)

    def export(self, request_id: str) -> bytes:
        """The zip a finished copy request produced, while it has not expired or been erased."""
        with self._db.reading() as session:
            row = RightsRepository(session, tenant=self._tenant).export_of(request_id)
            if row is None or _aware(row.expires_at) <= self._clock.now():
                raise NoExport.from_key("runtime.rights_no_export", request=request_id)
            return bytes(row.content)

    def certificate(self, request_id: str) -> DeletionCertificate:
        """The deletion certificate of a finished deletion or account cancellation."""
        with self._db.reading() as session:
            row = RightsRepository(session, tenant=self._tenant).certificate_of(request_id)
            if row is None:
                raise NoCertificate.from_key("runtime.rights_no_certificate", request=request_id)
            return to_certificate(row)

    def refuse(self, request_id: str, reason_key: str) -> RightsRequest:
        """Closes a request as refused, for a reason the law allows for its kind (PIPL 50)."""
        reason = REFUSAL_REASONS.get(reason_key)
        if reason is None:
            raise UnknownRefusalReason.from_key(
                "runtime.unknown_refusal_reason", reason=reason_key, known=", ".join(REFUSAL_REASONS)
            )
        return self._move(request_id, Action.REFUSE, reason=reason)

    def _move(self, request_id: str, action: Action, *, reason: RefusalReason | None = None) -> RightsRequest:
        with self._db.transaction() as session:
            return self.move_in(session, request_id, action, reason=reason)

    def move_in(
        self,
        session: Session,
        request_id: str,
        action: Action,
        *,
        reason: RefusalReason | None = None,
        details: Mapping[str, Any] | None = None,
        audit: Mapping[str, Any] | None = None,
    ) -> RightsRequest:
        """One lifecycle step inside the caller's transaction, so that carrying a request out and
        closing it commit together. `details` replaces the stored details (e.g. to drop a correction's
        value once applied); `audit` adds to the step's audit record."""
        return self.move_many_in(session, [Move(request_id, action, reason, details, audit)])[0]

    def move_many_in(self, session: Session, moves: Sequence[Move]) -> list[RightsRequest]:
        """Several steps in one transaction: one locking read, one flush, one append to the audit chain."""
        repo = RightsRepository(session, tenant=self._tenant)
        rows = repo.get_many([move.request_id for move in moves], lock=True)
        now = self._clock.now()
        changes: list[tuple[str, Mapping[str, Any]]] = []
        for move in moves:
            row = rows.get(move.request_id)
            if row is None:
                raise UnknownRightsRequest.from_key("runtime.unknown_rights_request", request=move.request_id)
            changes.append(_step(row, move, now))
        session.flush()
        self._audit.record_changes(session, changes)
        return [to_request(rows[move.request_id]) for move in moves]

    # ------------------------------------------------------------------ reading

    def get(self, request_id: str) -> RightsRequest:
        with self._db.reading() as session:
            row = RightsRepository(session, tenant=self._tenant).get(request_id)
            if row is None:
                raise UnknownRightsRequest.from_key("runtime.unknown_rights_request", request=request_id)
            return to_request(row)

    def open_requests(self, subject: str) -> list[RightsRequest]:
        """The person's requests not yet done or refused, oldest first."""
        with self._db.reading() as session:
            return [
                to_request(row) for row in RightsRepository(session, tenant=self._tenant).open_for(subject)
            ]

    def requests_of(self, subject: str, *, limit: int = 50) -> list[RightsRequest]:
        """The person's own requests, open and closed, newest first: what their privacy center lists."""
        with self._db.reading() as session:
            rows = RightsRepository(session, tenant=self._tenant).of_subject(subject, limit)
            return [to_request(row) for row in rows]

    def overdue(self, today: date) -> list[RightsRequest]:
        """Open requests whose deadline (`due_on`, a Beijing date) is before `today`, most overdue first."""
        with self._db.reading() as session:
            return [to_request(row) for row in RightsRepository(session, tenant=self._tenant).overdue(today)]

    def queue(self, today: date, *, limit: int = 500) -> list[RightsRequest]:
        """The operator's work list: open requests, overdue ones first (most overdue first), then by
        deadline (`due_on`, a Beijing date) and receipt; at most `limit` of them (see `count_open`)."""
        with self._db.reading() as session:
            rows = RightsRepository(session, tenant=self._tenant).queue(today, limit)
            return [to_request(row) for row in rows]

    def count_open(self) -> int:
        """How many requests are open: the queue's length were it not cut at its limit."""
        with self._db.reading() as session:
            return RightsRepository(session, tenant=self._tenant).count_open()


def _step(row: RightsRequestRow, move: Move, now: datetime) -> tuple[str, Mapping[str, Any]]:
    """Applies one step to the row, if its state allows it; returns the audit record it owes."""
    allowed_from, target = TRANSITIONS[move.action]
    status = RequestStatus(row.status)
    if status not in allowed_from:
        raise IllegalRightsTransition.from_key(
            "runtime.rights_illegal_transition",
            request=row.request_id,
            status=message(f"rights.status.{status.value}"),
            action=message(f"rights.action.{move.action.value}"),
        )
    payload: dict[str, Any] = {"request": row.request_id, "subject": row.subject, "kind": row.kind}
    if move.reason is not None:
        _check_applicable(move.reason, RightsKind(row.kind), status)
        row.refusal_reason = move.reason.key
        row.refusal_citations = list(move.reason.citations)
        payload |= {"reason": move.reason.key, "citations": list(move.reason.citations)}
    if target is RequestStatus.IDENTITY_VERIFIED:
        row.verified_at = now
    elif target is RequestStatus.IN_PROGRESS:
        row.started_at = now
    if target not in OPEN_STATUSES:
        row.finished_at = now
        row.open_kind = None  # frees the slot: a new request of this kind may now be received
    if move.details is not None:
        row.details = dict(move.details)
    row.status = target.value
    row.updated_at = now
    return f"rights.{target.value}", payload | dict(move.audit or {})


def _kind(kind: RightsKind | str) -> RightsKind:
    try:
        return RightsKind(kind)
    except ValueError:
        raise UnknownRightsKind.from_key(
            "runtime.unknown_rights_kind", kind=kind, known=", ".join(k.value for k in RightsKind)
        ) from None


# What each kind needs in its details before it can be received: a correction must say what is right.
_NEEDED = {RightsKind.CORRECT: ("data", "value")}


def _check_details(kind: RightsKind, details: Mapping[str, Any]) -> None:
    needed = _NEEDED.get(kind, ())
    missing = [key for key in needed if key not in details]
    if missing or (needed and not isinstance(details.get("data"), str)):
        raise BadRightsDetails.from_key(
            "runtime.rights_bad_details", kind=message(f"rights.kind.{kind.value}"), needed=", ".join(needed)
        )


def _check_applicable(reason: RefusalReason, kind: RightsKind, status: RequestStatus) -> None:
    """A reason the law gives for other requests, or 'identity unverified' after verification, is refused."""
    late = reason.only_before_verification and status is not RequestStatus.RECEIVED
    if kind not in reason.kinds or late:
        raise RefusalNotApplicable.from_key(
            "runtime.rights_refusal_not_applicable",
            reason=reason.key,
            kind=message(f"rights.kind.{kind.value}"),
            status=message(f"rights.status.{status.value}"),
        )
