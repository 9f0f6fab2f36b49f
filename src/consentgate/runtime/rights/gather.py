"""Gathers everything held about one person into `Holdings`, the input of every copy format (PIPL 45).

One function per kind of data, each a section: typed attributes, derived tags with their lineage,
current consents with the notice versions they rest on, the consent history, the decisions that
released data, transfers with their recipients, messages and pushes sent, onboarding answers and the
person's own requests. Services are asked where they offer a read; the few tables no service lists by
person are read here, read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select

from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.runtime.auditlog.schemas import DECISION_KIND, AuditRecord
from consentgate.runtime.consent.schemas import ConsentEvent, SubjectFacts
from consentgate.runtime.context import TenantContext
from consentgate.runtime.messaging.models import MessageRow
from consentgate.runtime.onboarding.models import OnboardingAnswerRow
from consentgate.runtime.ports import Clock
from consentgate.runtime.profiles.schemas import Attribute, AttributeSource
from consentgate.runtime.push.models import PushDeliveryRow
from consentgate.runtime.rights.holdings import Column, Holdings, Section
from consentgate.runtime.rights.models import RightsRequestRow
from consentgate.runtime.sharing.schemas import TransferRecord
from consentgate.store.database import Database


class Ledger(Protocol):
    def ref(self, subject: str) -> str: ...
    def facts(self, subject: str) -> SubjectFacts: ...
    def events(self, subject: str | None = None) -> list[ConsentEvent]: ...


class Profiles(Protocol):
    def attributes(self, subject: str) -> list[Attribute]: ...


class Transfers(Protocol):
    def transfers(self, subject: str | None = None) -> list[TransferRecord]: ...


class Decisions(Protocol):
    def records_naming(self, ref: str, *, kind: str | None = None) -> list[AuditRecord]: ...


Row = dict[str, Any]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _section(key: str, columns: Sequence[str], rows: Iterable[Row]) -> Section:
    return Section(
        key=key,
        title=message(f"rights.section.{key}"),
        explanation=message(f"rights.section.{key}.why"),
        columns=tuple(Column(name, message(f"rights.column.{name}")) for name in columns),
        rows=tuple(rows),
    )


class HoldingsGatherer:
    """Builds one tenant's `Holdings` for a person from the runtime's services."""

    def __init__(
        self,
        *,
        db: Database,
        tenant: str,
        clock: Clock,
        manifest: Manifest,
        ledger: Ledger,
        profiles: Profiles,
        transfers: Transfers,
        decisions: Decisions,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._manifest = manifest
        self._ledger = ledger
        self._profiles = profiles
        self._transfers = transfers
        self._decisions = decisions

    @classmethod
    def of(
        cls, ctx: TenantContext, *, ledger: Ledger, profiles: Profiles, transfers: Transfers
    ) -> HoldingsGatherer:
        return cls(
            db=ctx.db,
            tenant=ctx.tenant,
            clock=ctx.clock,
            manifest=ctx.manifest,
            ledger=ledger,
            profiles=profiles,
            transfers=transfers,
            decisions=ctx.audit,
        )

    def gather(self, subject: str, *, request_id: str | None = None) -> Holdings:
        ref = self._ledger.ref(subject)  # raises UnknownSubject for someone never registered
        attributes = self._profiles.attributes(subject)
        built = [
            self._attributes(attributes),
            self._tags(attributes),
            self._consents(subject),
            self._history(subject),
            self._released(ref),
            self._shared(subject),
            *self._rows_of(subject),
        ]
        return Holdings(
            subject=subject,
            tenant=self._tenant,
            controller=operator.name
            if (operator := self._manifest.app.operator)
            else self._manifest.app.name,
            generated_at=self._clock.now(),
            request_id=request_id,
            sections=tuple(built),
        )

    def _label(self, data_id: str) -> str:
        item = self._manifest.data_by_id.get(data_id)
        label = item.label if item is not None else None
        return str(label) if label is not None else data_id

    def _attributes(self, attributes: Sequence[Attribute]) -> Section:
        columns = ("data", "label", "value", "purposes", "collected_at", "consent_event")
        return _section(
            "attributes",
            columns,
            (
                {
                    "data": a.data_id,
                    "label": self._label(a.data_id),
                    "value": a.value,
                    "purposes": list(a.purposes),
                    "collected_at": _when(a.created_at),
                    "consent_event": a.consent_event_id,
                }
                for a in attributes
                if a.source is AttributeSource.TYPED
            ),
        )

    def _tags(self, attributes: Sequence[Attribute]) -> Section:
        by_id = {a.attribute_id: a for a in attributes}
        columns = ("data", "label", "value", "derived_from", "purposes", "computed_at")
        return _section(
            "tags",
            columns,
            (
                {
                    "data": a.data_id,
                    "label": self._label(a.data_id),
                    "value": a.value,
                    "derived_from": [
                        by_id[source].data_id if source in by_id else source for source in a.derived_from
                    ],
                    "purposes": list(a.purposes),
                    "computed_at": _when(a.created_at),
                }
                for a in attributes
                if a.source is AttributeSource.DERIVED
            ),
        )

    def _consents(self, subject: str) -> Section:
        facts = self._ledger.facts(subject)
        columns = ("purpose", "recipient", "status", "notice", "notice_version", "data", "mechanism", "since")
        return _section(
            "consents",
            columns,
            (
                {
                    "purpose": f.purpose,
                    "recipient": f.recipient,
                    "status": f.status.value,
                    "notice": f.notice_id,
                    "notice_version": f.notice_version,
                    "data": list(f.data),
                    "mechanism": f.mechanism.value,
                    "since": _when(f.updated_at),
                }
                for _, f in sorted(facts.items(), key=lambda item: (item[0][0], item[0][1] or ""))
            ),
        )

    def _history(self, subject: str) -> Section:
        columns = ("at", "purpose", "event", "recipient", "notice_version", "mechanism", "screen", "event_id")
        return _section(
            "consent_events",
            columns,
            (
                {
                    "at": _when(e.occurred_at),
                    "purpose": e.purpose,
                    "event": e.kind.value,
                    "recipient": e.recipient,
                    "notice_version": e.notice_version,
                    "mechanism": e.mechanism.value,
                    "screen": e.evidence.screen_id,
                    "event_id": e.event_id,
                }
                for e in self._ledger.events(subject)
            ),
        )

    def _released(self, ref: str) -> Section:
        columns = ("at", "purpose", "data", "recipient", "reason", "consent_event")
        return _section(
            "decisions",
            columns,
            (
                {
                    "at": _when(r.at),
                    "purpose": r.payload.get("purpose"),
                    "data": r.payload.get("data"),
                    "recipient": r.payload.get("recipient"),
                    "reason": r.payload.get("reason"),
                    "consent_event": r.payload.get("consent_event_id"),
                }
                for r in self._decisions.records_naming(ref, kind=DECISION_KIND)
            ),
        )

    def _shared(self, subject: str) -> Section:
        columns = ("at", "recipient", "purpose", "fields", "withheld", "status")
        return _section(
            "transfers",
            columns,
            (
                {
                    "at": _when(t.created_at),
                    "recipient": t.recipient,
                    "purpose": t.purpose,
                    "fields": list(t.fields),
                    "withheld": sorted(t.withheld),
                    "status": t.status.value,
                }
                for t in self._transfers.transfers(subject)
            ),
        )

    def _rows_of(self, subject: str) -> list[Section]:
        """The sections read straight from tables no service lists by person (read-only)."""
        with self._db.reading() as session:
            scoped = _Scoped(session, self._tenant, subject)
            messages = scoped.rows(
                MessageRow,
                MessageRow.created_at,
                lambda m: {
                    "at": _when(m.dispatched_at or m.created_at),
                    "channel": m.channel,
                    "purpose": m.purpose,
                    "campaign": m.campaign_id,
                    "status": m.status,
                    "reason": m.reason,
                },
            )
            pushes = scoped.rows(
                PushDeliveryRow,
                PushDeliveryRow.planned_at,
                lambda p: {
                    "at": _when(p.finished_at or p.planned_at),
                    "campaign": p.campaign_id,
                    "variant": p.variant,
                    "status": p.status,
                    "reason": p.reason,
                },
            )
            answers = scoped.rows(
                OnboardingAnswerRow,
                OnboardingAnswerRow.updated_at,
                lambda a: {"at": _when(a.updated_at), "question": a.question, "status": a.status},
            )
            requests = scoped.rows(
                RightsRequestRow,
                RightsRequestRow.received_at,
                lambda r: {
                    "received_at": _when(r.received_at),
                    "kind": r.kind,
                    "status": r.status,
                    "due_on": r.due_on.isoformat(),
                    "finished_at": _when(r.finished_at),
                },
            )
        return [
            _section("messages", ("at", "channel", "purpose", "campaign", "status", "reason"), messages),
            _section("pushes", ("at", "campaign", "variant", "status", "reason"), pushes),
            _section("onboarding", ("at", "question", "status"), answers),
            _section("requests", ("received_at", "kind", "status", "due_on", "finished_at"), requests),
        ]


class _Scoped:
    """Reads one person's rows of a table that has `tenant_id` and `subject` columns, oldest first."""

    def __init__(self, session: Any, tenant: str, subject: str) -> None:
        self._session = session
        self._tenant = tenant
        self._subject = subject

    def rows(self, model: Any, order: Any, shape: Callable[[Any], Mapping[str, Any]]) -> list[Row]:
        query = select(model).where(model.tenant_id == self._tenant, model.subject == self._subject)
        return [dict(shape(row)) for row in self._session.scalars(query.order_by(order))]
