"""Onboarding: asks the manifest's screens of one subject, lawfully, and remembers the answers.

A submission is one transaction: the consent events its ticked and unticked boxes give or refuse, the
answers resting on them, the progress and the audit records commit together, or — if anything fails —
not at all. Someone who has not agreed to the notice has no subject at all: `welcome()` shows them the
notice screen and `browse()` the browse-only mode, and neither writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from consentgate.manifest.models import Manifest
from consentgate.manifest.references import hint
from consentgate.runtime.consent.schemas import ConsentEvent, EventKind, Evidence
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownDataItem, UnknownNotice
from consentgate.runtime.gate import rules
from consentgate.runtime.onboarding import flow, submission
from consentgate.runtime.onboarding.errors import NoBrowseMode, UnknownScreen
from consentgate.runtime.onboarding.flow import Live, Progress, QuestionStatus, ScreenPlan
from consentgate.runtime.onboarding.ports import ConsentRecorder, NoticeSource
from consentgate.runtime.onboarding.repository import ProgressRepository
from consentgate.runtime.onboarding.schemas import BrowseMode, NoticeRef, ScreenView
from consentgate.runtime.onboarding.submission import Outcome
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.ports import ChangeLog
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.store.database import Database


class Onboarding:
    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeLog,
        manifest: Manifest,
        policy: Policy,
        ledger: ConsentRecorder,
        notices: NoticeSource,
        profiles: ProfileStore,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._ledger = ledger
        self._notices = notices
        self._profiles = profiles
        self._policy = policy
        self._plans = flow.compile_screens(manifest, policy)
        self._by_id = {plan.screen_id: plan for plan in self._plans}
        self._questions = {q for plan in self._plans for q in plan.questions}

    @classmethod
    def of(
        cls, ctx: TenantContext, *, ledger: ConsentRecorder, notices: NoticeSource, profiles: ProfileStore
    ) -> Onboarding:
        return cls(
            ctx.db,
            **ctx.scope,
            manifest=ctx.manifest,
            policy=ctx.policy,
            ledger=ledger,
            notices=notices,
            profiles=profiles,
        )

    # ------------------------------------------------------------------ reads

    def next_screen(self, subject: str) -> ScreenView:
        """The first screen with an open question (or not yet passed); home when there is none."""
        self._ensure_registered(subject)
        progress = self._progress(subject)
        plan = flow.next_plan(self._plans, progress)
        if plan is None:
            return ScreenView.home()
        seen = flow.notice_seen(self._plans, plan, progress)
        return flow.view(plan, progress, self._notice(plan), self._live(subject), seen=seen)

    def welcome(self) -> ScreenView:
        """The first screen as someone without an account sees it (the notice); nothing is written.

        An app shows it before it creates any account: agreeing is `submit(new_subject, screen_id,
        {})`, which registers the subject; choosing browse is `browse()`, which registers nobody.
        """
        if not self._plans:
            return ScreenView.home()
        first = self._plans[0]
        return flow.view(first, Progress(), self._notice(first))

    def browse(self) -> BrowseMode:
        """Browse-only mode for someone who did not agree to the notice: no subject, no record, no data.

        The content is the feed's non-personalized ranking (`FeedService.browse`), which takes no person
        at all; agreeing later goes back to the notice screen named here and onboarding goes on.
        """
        plan = next((p for p in self._plans if p.shows_notice_only), None)
        if plan is None:
            raise NoBrowseMode.from_key("runtime.no_browse_mode")
        return BrowseMode(agree_screen_id=plan.screen_id, notice=self._notice(plan))

    # ------------------------------------------------------------------ writes

    def submit(
        self,
        subject: str,
        screen_id: str,
        values: Mapping[str, Any],
        *,
        locale: str = "zh",
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ScreenView:
        """Records the ticked boxes as consent and keeps only the answers a live consent covers."""
        plan = self._plan(screen_id)
        self._ensure_registered(subject)
        self._check_values(plan, values)
        outcome = submission.plan_submit(
            plan,
            self._progress(subject),
            values,
            self._ledger.facts(subject),
            self._live(subject),
            subject=subject,
            notice=self._notice_for_consent(plan, values),
            evidence=replace(evidence, screen_id=screen_id, locale=locale),
        )
        return self._apply(subject, plan, outcome, values, "onboarding.submit")

    def skip(
        self,
        subject: str,
        screen_id: str,
        *,
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ScreenView:
        """Closes every open optional question of the screen unanswered; they are not asked again."""
        plan = self._plan(screen_id)
        self._ensure_registered(subject)
        outcome = submission.plan_skip(
            plan,
            self._progress(subject),
            self._ledger.facts(subject),
            self._live(subject),
            subject=subject,
            notice=self._notice(plan),
            evidence=replace(evidence, screen_id=screen_id),
        )
        return self._apply(subject, plan, outcome, {}, "onboarding.skip")

    def reopen(self, subject: str, data_id: str) -> ScreenView:
        """From settings: ask a refused question again (the ledger's refusal stands until consent)."""
        if data_id not in self._questions:
            raise UnknownDataItem.from_key("runtime.not_a_question", data=data_id)
        with self._db.transaction() as session:
            opened = ProgressRepository(session, tenant=self._tenant).reopen(subject, data_id)
            if opened:
                self._audit.record_change(
                    session, "onboarding.reopen", {"subject": subject, "question": data_id}
                )
        return self.next_screen(subject)

    # ------------------------------------------------------------------ helpers

    def _apply(
        self, subject: str, plan: ScreenPlan, outcome: Outcome, values: Mapping[str, Any], kind: str
    ) -> ScreenView:
        now = self._clock.now()
        with self._db.transaction() as session:
            events = self._ledger.record_many_in(session, list(outcome.events))
            by_purpose: dict[str, ConsentEvent] = {}
            for event in events:
                if event.kind is EventKind.GIVEN:
                    by_purpose.setdefault(event.purpose, event)
            for answer in outcome.kept:
                new = by_purpose.get(answer.consent_purpose or "")
                self._profiles.set_in(
                    session,
                    subject,
                    answer.field.data_id,
                    values[answer.field.data_id],
                    purposes=answer.purposes,
                    consent_event_id=new.event_id if new else answer.prior_event_id,
                )
            progress = ProgressRepository(session, tenant=self._tenant)
            answered = [k.field.data_id for k in outcome.kept] + [b.box_id for b in outcome.accepted]
            progress.close(subject, plan.screen_id, answered, QuestionStatus.ANSWERED, now)
            progress.close(subject, plan.screen_id, outcome.refused, QuestionStatus.REFUSED, now)
            progress.pass_screen(subject, plan.screen_id, now)
            # Ids only: what was answered, never the answers.
            self._audit.record_change(
                session,
                kind,
                {
                    "subject": subject,
                    "screen": plan.screen_id,
                    "answered": answered,
                    "refused": list(outcome.refused),
                    "not_kept": list(outcome.dropped),
                    "consent_events": [e.event_id for e in events],
                },
            )
        return self.next_screen(subject)

    def _plan(self, screen_id: str) -> ScreenPlan:
        plan = self._by_id.get(screen_id)
        if plan is None:
            raise UnknownScreen.from_key(
                "runtime.unknown_screen",
                screen=screen_id,
                hint=hint(screen_id, self._by_id),
                known=", ".join(self._by_id),
            )
        return plan

    def _check_values(self, plan: ScreenPlan, values: Mapping[str, Any]) -> None:
        asked = plan.questions
        for key in values:
            if key not in asked:
                raise UnknownDataItem.from_key(
                    "runtime.unknown_data", data=key, hint=hint(key, asked), known=", ".join(asked)
                )

    def _progress(self, subject: str) -> Progress:
        with self._db.reading() as session:
            return ProgressRepository(session, tenant=self._tenant).load(subject)

    def _notice(self, plan: ScreenPlan | None) -> NoticeRef | None:
        if plan is None or plan.notice_id is None:
            return None
        current = self._notices.current(plan.notice_id)
        return NoticeRef(current.notice_id, current.version) if current is not None else None

    def _live(self, subject: str) -> Live:
        """Whether a consent is live for (purpose, recipient) and covers a data item: the gate's own rule."""
        facts = self._ledger.facts(subject)
        acceptable = self._notices.acceptable_versions()

        def live(purpose: str, recipient: str | None, data_id: str) -> bool:
            policy = self._policy.purposes[purpose]
            versions = acceptable.get(purpose, frozenset())
            return rules.decide(policy, facts, frozenset({data_id}), recipient, versions).allowed

        return live

    def _notice_for_consent(self, plan: ScreenPlan, values: Mapping[str, Any]) -> NoticeRef | None:
        """Consent rests on the notice shown (PIPL 14, 17): none published means none can be given."""
        notice = self._notice(plan)
        wanted = [b.purpose for b in submission.ticked(plan, values) if b.ask is not None]
        if wanted and notice is None:
            raise UnknownNotice.from_key(
                "runtime.notice_missing", screen=plan.screen_id, purposes=", ".join(dict.fromkeys(wanted))
            )
        return notice

    def _ensure_registered(self, subject: str) -> None:
        if not self._ledger.known_subject(subject):
            self._ledger.register_subject(subject)
