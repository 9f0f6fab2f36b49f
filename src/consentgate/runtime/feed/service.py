"""The feed service: personalized only while the gate says so, and one call to switch either way.

`page` asks the gate whether the personalization purpose may run for the subject; only then does it
read the profile — through `ProfileStore.read`, which releases only attributes live for that purpose —
and hand those attributes, and nothing else, to the personalized ranker. Otherwise the subject gets
the non-personalized ranking, which is never given anything about them (PIPL 24 para 2).

`set_mode` writes the switch into the consent ledger (on: a consent given in settings against the
current notice; off: a withdrawal), in one transaction with its audit record. The ledger tells the
gate after the commit, so the very next `page` obeys.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from consentgate.i18n import message
from consentgate.manifest.models import Manifest, PurposeKind
from consentgate.manifest.references import hint
from consentgate.runtime.consent.schemas import ConsentEvent, EventKind, Evidence, Mechanism, NewConsentEvent
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownPurpose, UnknownSubject
from consentgate.runtime.feed.catalog import Catalog
from consentgate.runtime.feed.errors import FeedMisconfigured, InvalidLimit, NoNoticeForPurpose
from consentgate.runtime.feed.rankers import NonPersonalizedRanker, PersonalizedRanker, Ranked
from consentgate.runtime.feed.reasons import explain
from consentgate.runtime.feed.schemas import FeedItem, FeedPage
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.notices.current import current_notice_for
from consentgate.runtime.notices.schemas import NoticeVersion
from consentgate.runtime.notices.service import ChangeRecorder, NoticeService
from consentgate.runtime.policy import Policy, PurposePolicy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.store.database import Database

MAX_LIMIT = 100
SETTINGS_LINK = "/me/privacy#personalization"  # the privacy center the service serves


class FeedService:
    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeRecorder,
        manifest: Manifest,
        policy: Policy,
        ledger: ConsentLedger,
        notices: NoticeService,
        profiles: ProfileStore,
        gate: Gate,
        catalog: Catalog,
        purpose: str | None = None,
        settings_link: str = SETTINGS_LINK,
        personalized_ranker: PersonalizedRanker | None = None,
        generic_ranker: NonPersonalizedRanker | None = None,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._ids = ids  # unused today; kept so every service is built the same way
        self._audit = audit
        self._manifest = manifest
        self._ledger = ledger
        self._notices = notices
        self._profiles = profiles
        self._gate = gate
        self._catalog = catalog
        self._policy = _personalization_purpose(manifest, policy, purpose)
        self._matchable = _check_catalog(catalog, self._policy)
        self._settings_link = settings_link
        self._personalized = personalized_ranker or PersonalizedRanker()
        self._generic = generic_ranker or NonPersonalizedRanker(clock=clock)

    @classmethod
    def of(
        cls,
        ctx: TenantContext,
        *,
        ledger: ConsentLedger,
        notices: NoticeService,
        profiles: ProfileStore,
        gate: Gate,
        catalog: Catalog,
    ) -> FeedService:
        return cls(
            ctx.db,
            **ctx.scope,
            manifest=ctx.manifest,
            policy=ctx.policy,
            ledger=ledger,
            notices=notices,
            profiles=profiles,
            gate=gate,
            catalog=catalog,
        )

    @property
    def purpose(self) -> str:
        return self._policy.id

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    # ------------------------------------------------------------------ reads

    def page(self, subject: str, limit: int = 10) -> FeedPage:
        """The subject's feed now: personalized only on attributes the gate releases for the purpose."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidLimit.from_key("feed.bad_limit", limit=limit, max=MAX_LIMIT)
        attributes = self._released(subject)
        # Personalized means personal information was used: with nothing released, the label must not
        # claim otherwise, so a live consent without any answers still gets the non-personalized feed.
        if attributes:
            return self._page(True, self._personalized.rank(self._catalog, attributes, limit))
        return self._page(False, self._generic.rank(self._catalog, limit))

    def browse(self, limit: int = 10) -> FeedPage:
        """The feed for someone without an account (browse-only mode): nobody's data, nobody recorded.

        The non-personalized ranking takes no person at all, so this needs no subject (PIPL 16: refusing
        the notice must not block basic use).
        """
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidLimit.from_key("feed.bad_limit", limit=limit, max=MAX_LIMIT)
        return self._page(False, self._generic.rank(self._catalog, limit))

    def is_personalized(self, subject: str) -> bool:
        """Whether personalization is switched on: a live consent for the purpose (for the settings page)."""
        try:
            return self._gate.decide(subject, self._policy.id, ()).allowed
        except UnknownSubject:
            return False

    # ------------------------------------------------------------------ the switch

    def set_mode(
        self,
        subject: str,
        personalized: bool,
        *,
        evidence: Evidence = Evidence(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> ConsentEvent | None:
        """Turns personalization on (consent in settings) or off (a withdrawal); None when nothing changes.

        On: a consent for the purpose's data on the current notice version — unless a live consent
        already covers all of it. Off: a withdrawal of the consent the projection holds as given.
        """
        self._ledger.register_subject(subject)
        fact = self._ledger.facts(subject).get((self._policy.id, None))
        needed = self._policy.data - self._policy.without_consent
        if personalized:
            covered = fact is not None and (not fact.data or needed <= set(fact.data))
            if covered and self.is_personalized(subject):
                return None
            notice = self._current_notice()
            event = NewConsentEvent(
                subject=subject,
                purpose=self._policy.id,
                kind=EventKind.GIVEN,
                data=tuple(sorted(needed)),
                notice_id=notice.notice_id,
                notice_version=notice.version,
                mechanism=Mechanism.SETTINGS,
                evidence=self._evidence(evidence),
            )
        else:
            if fact is None or fact.status is not EventKind.GIVEN:
                return None
            event = NewConsentEvent(
                subject=subject,
                purpose=self._policy.id,
                kind=EventKind.WITHDRAWN,
                mechanism=Mechanism.SETTINGS,
                evidence=self._evidence(evidence),
            )
        with self._db.transaction() as session:
            [recorded] = self._ledger.record_many_in(session, [event])
            self._audit.record_change(
                session,
                "feed.mode",
                {
                    "subject": subject,
                    "purpose": self._policy.id,
                    "personalized": personalized,
                    "consent_event_id": recorded.event_id,
                },
            )
        return recorded

    # ------------------------------------------------------------------ helpers

    def _released(self, subject: str) -> dict[str, Any]:
        """What the gate lets the personalized ranker see: attributes the catalog can match, live now."""
        if not self.is_personalized(subject):
            return {}
        released = self._profiles.read(subject, self._policy.id)
        return {data_id: value for data_id, value in released.items() if data_id in self._matchable}

    def _page(self, personalized: bool, ranked: list[Ranked]) -> FeedPage:
        link = self._settings_link
        items = tuple(
            FeedItem(
                item=r.item,
                reason=explain(r, self._catalog, self._manifest),
                settings_link=link,
                why=r.why,
                matched=r.matched_data,
            )
            for r in ranked
        )
        if personalized:
            label, settings = message("feed.label.personalized"), message("feed.settings.turn_off")
        else:
            label, settings = message("feed.label.not_personalized"), message("feed.settings.turn_on")
        return FeedPage(personalized, label, items, link, settings)

    def _current_notice(self) -> NoticeVersion:
        """The version the switch consents on (see `notices.current`); an error when none is published."""
        notice = current_notice_for(self._manifest, self._notices, self._policy.id)
        if notice is None:
            raise NoNoticeForPurpose.from_key("feed.no_notice", purpose=self._policy.id)
        return notice

    def _evidence(self, evidence: Evidence) -> Evidence:
        # The switch itself is where consent was given or withdrawn, unless the app says otherwise.
        return evidence if evidence.screen_id else replace(evidence, screen_id=self._settings_link)


def _personalization_purpose(manifest: Manifest, policy: Policy, purpose: str | None) -> PurposePolicy:
    if purpose is None:
        first = next((p for p in manifest.purposes if p.kind is PurposeKind.PERSONALIZATION), None)
        if first is None:
            raise FeedMisconfigured.from_key("feed.no_personalization_purpose")
        purpose = first.id
    found = policy.purposes.get(purpose)
    if found is None:
        raise UnknownPurpose.from_key(
            "runtime.unknown_purpose",
            purpose=purpose,
            hint=hint(purpose, policy.purposes),
            known=", ".join(sorted(policy.purposes)),
        )
    if found.kind is not PurposeKind.PERSONALIZATION:
        raise FeedMisconfigured.from_key(
            "feed.not_personalization_purpose", purpose=purpose, kind=found.kind.value
        )
    return found


def _check_catalog(catalog: Catalog, purpose: PurposePolicy) -> frozenset[str]:
    """A dimension may match only data the purpose processes (PIPL 6: purpose limitation)."""
    for dimension in catalog.dimensions.values():
        for data_id in dimension.data:
            if data_id not in purpose.data:
                raise FeedMisconfigured.from_key(
                    "feed.dimension_outside_purpose",
                    dimension=dimension.id,
                    data=data_id,
                    purpose=purpose.id,
                    known=", ".join(sorted(purpose.data)),
                )
    return catalog.matched_data()
