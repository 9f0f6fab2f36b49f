"""The push service: plan a campaign over every subject in batches, then send it through the transport.

`plan` walks the tenant's subjects by keyset, a batch at a time, and decides per subject with the
gate's PURE decide over that batch's facts (bulk-loaded from the consent projection; `decider.py`
decides each distinct fact content once): personalized only where the personalization purpose may
run on the data the template names, generic otherwise. No profile value is read while planning.
Each batch is one transaction — deliveries, the campaign's cursor and an audit record commit
together — so an interrupted plan resumes after the last committed batch and plans no one twice.

`send` delivers pending deliveries through the courier (`sending.py`: a personalized one is decided
again through the gate and rendered from `ProfileStore.read` at that moment, so a withdrawal between
plan and send yields the generic push; failures are retried, then recorded as failed, never dropped).
A batch's results commit together — also when the process is interrupted mid-batch — so resuming
sends only what is still pending. Campaigns are checked against the manifest first (`campaigns.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from consentgate.manifest.models import Manifest
from consentgate.manifest.references import hint
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.push.campaigns import Prepared, prepare
from consentgate.runtime.push.decider import decider_for
from consentgate.runtime.push.errors import CampaignConflict, UnknownCampaign
from consentgate.runtime.push.models import CampaignRow
from consentgate.runtime.push.ports import (
    ChangeRecorder,
    DecisionGate,
    NoticeVersions,
    ProfileReader,
    PushTransport,
)
from consentgate.runtime.push.repository import FactRow, Finished, Pending, Planned, PushRepository, utc
from consentgate.runtime.push.schemas import (
    Attempt,
    Campaign,
    CampaignRun,
    Delivery,
    DeliveryStatus,
    PushContent,
    SendReport,
    Variant,
)
from consentgate.runtime.push.sending import ATTRIBUTES_MISSING, SUBJECT_GONE, Courier
from consentgate.store.database import Database

# Names other modules imported from here before the split.
__all__ = [
    "ATTRIBUTES_MISSING",
    "SUBJECT_GONE",
    "ChangeRecorder",
    "DecisionGate",
    "NoticeVersions",
    "ProfileReader",
    "PushService",
]

_NO_ROWS: list[FactRow] = []
_PERSONALIZED = Variant.PERSONALIZED.value
_GENERIC = Variant.GENERIC.value
_REASONS = {code: code.value for code in ReasonCode}  # a dict lookup is cheaper than `.value`


class PushService:
    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeRecorder,
        policy: Policy,
        manifest: Manifest,
        notices: NoticeVersions,
        gate: DecisionGate,
        profiles: ProfileReader,
        transport: PushTransport,
        batch_size: int = 5000,
        max_attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        settings_url: str = "app://settings/privacy?purpose={purpose}",
    ) -> None:
        if batch_size < 1 or max_attempts < 1:
            raise ValueError("batch_size and max_attempts must be at least 1")
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._audit = audit
        self._policy = policy
        self._manifest = manifest
        self._notices = notices
        self._batch_size = batch_size
        self._repo = PushRepository(tenant, db.dialect)
        self._courier = Courier(
            clock=clock,
            ids=ids,
            manifest=manifest,
            gate=gate,
            profiles=profiles,
            transport=transport,
            max_attempts=max_attempts,
            backoff=backoff,
            sleep=sleep,
            settings_url=settings_url,
        )

    @classmethod
    def of(
        cls,
        ctx: TenantContext,
        *,
        notices: NoticeVersions,
        gate: DecisionGate,
        profiles: ProfileReader,
        transport: PushTransport,
    ) -> PushService:
        return cls(
            ctx.db,
            **ctx.scope,
            policy=ctx.policy,
            manifest=ctx.manifest,
            notices=notices,
            gate=gate,
            profiles=profiles,
            transport=transport,
        )

    # ------------------------------------------------------------------ plan

    def plan(self, campaign: Campaign, *, max_batches: int | None = None) -> CampaignRun:
        """Plans the campaign for every subject of the tenant, resuming where an earlier plan stopped.

        `max_batches` stops after that many batches (the run says `complete=False`): planning a huge
        tenant in slices, or a test standing in for a crash.
        """
        prepared = prepare(campaign, manifest=self._manifest, policy=self._policy)
        self._register(prepared)
        batches = 0
        while max_batches is None or batches < max_batches:
            batches += 1
            if not self._plan_batch(prepared):
                break
        return self.campaign(campaign.campaign_id)

    def _plan_batch(self, prepared: Prepared) -> bool:
        """Plans the next batch in one transaction; False once the campaign is fully planned."""
        purpose = prepared.purpose
        decider = decider_for(purpose, prepared.uses, self._notices.acceptable_versions())
        campaign_id = prepared.campaign.campaign_id
        with self._db.transaction() as session:
            row = self._repo.campaign(session, campaign_id, lock=True)
            assert row is not None  # registered before the first batch; campaigns are never deleted
            if row.planned_at is not None:
                return False
            subjects = self._repo.next_subjects(session, row.planned_through, self._batch_size)
            now = self._clock.now()
            planned: list[Planned] = []
            personalized = 0
            if subjects:
                rows = self._repo.fact_rows(session, purpose.id, subjects[0], subjects[-1])
                for subject in subjects:
                    decision, event_id = decider.decide(subject, rows.get(subject, _NO_ROWS))
                    if decision.allowed:
                        personalized += 1
                    variant = _PERSONALIZED if decision.allowed else _GENERIC
                    planned.append(Planned(subject, variant, _REASONS[decision.reason_code], event_id))
                self._repo.insert_deliveries(session, campaign_id, planned, now)
                row.planned_through = subjects[-1]
            row.personalized += personalized
            row.generic += len(planned) - personalized
            if len(subjects) < self._batch_size:
                row.planned_at = now
            self._audit.record_change(
                session,
                "push.planned",
                {
                    "campaign": campaign_id,
                    "through": row.planned_through,
                    "personalized": personalized,
                    "generic": len(planned) - personalized,
                    "complete": row.planned_at is not None,
                },
            )
            return row.planned_at is None

    def _register(self, prepared: Prepared) -> None:
        """Stores a new campaign; a known one resumes, unless its content differs (that is a new campaign)."""
        campaign = prepared.campaign
        content = {"generic": campaign.generic.document(), "personalized": campaign.personalized.document()}
        with self._db.transaction() as session:
            row = self._repo.campaign(session, campaign.campaign_id, lock=True)
            if row is None:
                session.add(
                    CampaignRow(
                        tenant_id=self._tenant,
                        campaign_id=campaign.campaign_id,
                        title=campaign.title,
                        purpose=prepared.purpose.id,
                        content=content,
                        created_at=self._clock.now(),
                        planned_through=None,
                        planned_at=None,
                        personalized=0,
                        generic=0,
                    )
                )
                self._audit.record_change(
                    session,
                    "push.campaign_created",
                    {
                        "campaign": campaign.campaign_id,
                        "purpose": prepared.purpose.id,
                        "uses": sorted(prepared.uses),
                    },
                )
            elif (row.title, row.purpose, row.content) != (campaign.title, prepared.purpose.id, content):
                raise CampaignConflict.from_key("push.campaign_conflict", campaign=campaign.campaign_id)

    # ------------------------------------------------------------------ send

    def send(
        self, campaign_id: str, *, retry_failed: bool = False, max_batches: int | None = None
    ) -> SendReport:
        """Delivers the campaign's pending pushes; `retry_failed` first makes failed ones pending again."""
        prepared = self._stored(campaign_id)
        if retry_failed:
            with self._db.transaction() as session:
                self._repo.reopen_failed(session, campaign_id)
        report = SendReport(campaign_id, sent=0, failed=0, cancelled=0, attempts=0, downgraded=0)
        after: str | None = None
        batches = 0
        while max_batches is None or batches < max_batches:
            batches += 1
            with self._db.reading() as session:
                pending = self._repo.pending(session, campaign_id, after, self._batch_size)
            if not pending:
                break
            report = _add(report, self._send_batch(prepared, pending))
            after = pending[-1].subject
        return report

    def _send_batch(self, prepared: Prepared, pending: list[Pending]) -> SendReport:
        campaign_id = prepared.campaign.campaign_id
        finished: list[Finished] = []
        attempts: list[dict[str, Any]] = []
        downgraded = 0
        with self._db.reading() as session:
            present = self._repo.subjects_between(session, pending[0].subject, pending[-1].subject)
        try:
            for item in pending:
                if item.subject not in present:  # erased since planning: nobody to send to
                    finished.append(
                        self._courier.closed(item, DeliveryStatus.CANCELLED, SUBJECT_GONE, 0, None)
                    )
                    continue
                try:
                    message, reason = self._courier.message(prepared, item)
                except UnknownSubject:  # erased while this batch was being sent
                    finished.append(
                        self._courier.closed(item, DeliveryStatus.CANCELLED, SUBJECT_GONE, 0, None)
                    )
                    continue
                downgraded += item.variant is Variant.PERSONALIZED and message.variant is Variant.GENERIC
                finished.append(self._courier.deliver(item, message, reason, attempts, finished))
        finally:  # also on an interruption: what was delivered is recorded, so a resume skips it
            with self._db.transaction() as session:
                self._repo.add_attempts(session, attempts)
                self._repo.finish(session, campaign_id, finished)
                counts = {s.value: sum(f.status is s for f in finished) for s in DeliveryStatus}
                self._audit.record_change(
                    session, "push.sent", {"campaign": campaign_id, "attempts": len(attempts), **counts}
                )
        return SendReport(
            campaign_id,
            sent=counts[DeliveryStatus.SENT.value],
            failed=counts[DeliveryStatus.FAILED.value],
            cancelled=counts[DeliveryStatus.CANCELLED.value],
            attempts=len(attempts),
            downgraded=downgraded,
        )

    # ------------------------------------------------------------------ reading

    def campaign(self, campaign_id: str) -> CampaignRun:
        with self._db.reading() as session:
            row = self._find(session, campaign_id)
            return CampaignRun(
                campaign_id=row.campaign_id,
                purpose=row.purpose,
                created_at=utc(row.created_at),
                personalized=row.personalized,
                generic=row.generic,
                complete=row.planned_at is not None,
                planned_through=row.planned_through,
            )

    def deliveries(self, campaign_id: str) -> list[Delivery]:
        """Every delivery of the campaign (for tests and reports: loads them all)."""
        with self._db.reading() as session:
            self._find(session, campaign_id)
            return self._repo.deliveries(session, campaign_id)

    def attempts(self, campaign_id: str, subject: str | None = None) -> list[Attempt]:
        """The delivery log of the campaign, or of one subject in it."""
        with self._db.reading() as session:
            self._find(session, campaign_id)
            return self._repo.attempts(session, campaign_id, subject)

    def _stored(self, campaign_id: str) -> Prepared:
        with self._db.reading() as session:
            row = self._find(session, campaign_id)
            campaign = Campaign(
                campaign_id=row.campaign_id,
                title=row.title,
                generic=PushContent.from_document(row.content["generic"]),
                personalized=PushContent.from_document(row.content["personalized"]),
                purpose=row.purpose,
            )
        return prepare(campaign, manifest=self._manifest, policy=self._policy)

    def _find(self, session: Session, campaign_id: str) -> CampaignRow:
        row = self._repo.campaign(session, campaign_id)
        if row is None:
            raise UnknownCampaign.from_key(
                "push.unknown_campaign",
                campaign=campaign_id,
                hint=hint(campaign_id, self._repo.campaign_ids(session)),
            )
        return row


def _add(total: SendReport, batch: SendReport) -> SendReport:
    return SendReport(
        total.campaign_id,
        sent=total.sent + batch.sent,
        failed=total.failed + batch.failed,
        cancelled=total.cancelled + batch.cancelled,
        attempts=total.attempts + batch.attempts,
        downgraded=total.downgraded + batch.downgraded,
    )
