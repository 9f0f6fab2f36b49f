"""The gate service: the hot path every release of personal data goes through.

A warm call is two dict lookups: subject -> that subject's decisions, then (purpose, data, recipient)
-> the decision made earlier from the same facts. The cache is exact, not timed: the ledger tells
the gate after every commit which subject's facts changed (that entry is dropped, so a withdrawal
takes effect on the very next call), and a notice publication clears everything (which versions are
acceptable changed). Ids are validated only on a miss: a request is cached only after it validated.

The ledger and notice service it was built with tell it at commit; changes made by other processes
reach it through the process's change feed (`runtime/changes/`). While that feed is not caught up
(connection lost, a read failed, its thread stuck) a cached allow is not served: the decision is read
from the database afresh, and when even that fails it is a denial (`facts-unavailable`). Cached
denials are still served: a stale denial withholds data, it never releases any.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from consentgate.manifest.references import hint
from consentgate.runtime.auditlog.errors import DecisionNotRecorded
from consentgate.runtime.consent.schemas import SubjectFacts
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose, UnknownRecipient, UnknownSubject
from consentgate.runtime.gate.decision import Decision, ReasonCode
from consentgate.runtime.gate.reasons import FIXED
from consentgate.runtime.gate.rules import decide as decide_purely
from consentgate.runtime.policy import Policy


class FactSource(Protocol):
    """What the gate asks of the consent ledger."""

    def known_subject(self, subject: str) -> bool: ...
    def standing(self, subject: str) -> tuple[SubjectFacts, bool]: ...
    def subscribe(self, listener: Callable[[str], None]) -> None: ...


class NoticeVersions(Protocol):
    """What the gate asks of the notice service."""

    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]: ...
    def invalidate(self) -> None: ...
    def subscribe(self, listener: Callable[[], None]) -> None: ...


class ChangeFeed(Protocol):
    """Whether the process has heard of every change other processes committed (`ChangeHub`)."""

    @property
    def trusted_until(self) -> float:
        """`time.monotonic()` until which cached allows may be served (it caught up just before)."""
        ...


class DecisionSink(Protocol):
    """Where released-data decisions go (the audit log buffers them)."""

    def record_decision(self, payload: Mapping[str, Any]) -> None: ...


# A cached answer: the decision, and the audit payload when it releases data (None otherwise).
_Cached = tuple[Decision, Mapping[str, Any] | None]
_NONE: frozenset[tuple[str, str]] = frozenset()
_RESTRICTED = FIXED[ReasonCode.RESTRICTED]
_UNAVAILABLE = FIXED[ReasonCode.FACTS_UNAVAILABLE]
logger = logging.getLogger(__name__)


_now = time.monotonic


class _OneProcess:
    """No feed given: this process's own writers tell the gate everything, so the cache always holds."""

    trusted_until = math.inf


class _SubjectEntry(dict[tuple[str, Any, str | None], _Cached]):
    """One subject's decisions, keyed by the request as given; holds the facts they were made from."""

    __slots__ = ("facts", "restricted")

    def __init__(self, facts: SubjectFacts, restricted: bool) -> None:
        super().__init__()
        self.facts = facts
        self.restricted = restricted


class Gate:
    """Decides whether personal data may be processed for a purpose, from a cache events invalidate."""

    __slots__ = (
        "_acceptable",
        "_cache",
        "_epoch",
        "_feed",
        "_known",
        "_ledger",
        "_max_subjects",
        "_notices",
        "_policy",
        "_record",
    )

    def __init__(
        self,
        *,
        policy: Policy,
        ledger: FactSource,
        notices: NoticeVersions,
        audit: DecisionSink,
        feed: ChangeFeed | None = None,
        max_subjects: int = 100_000,
    ) -> None:
        self._policy = policy
        self._ledger = ledger
        self._notices = notices
        self._record = audit.record_decision
        self._feed: ChangeFeed = feed if feed is not None else _OneProcess()
        self._max_subjects = max_subjects
        self._cache: dict[str, _SubjectEntry] = {}
        self._known: set[str] = set()
        self._acceptable: Mapping[str, frozenset[tuple[str, str]]] | None = None
        # Bumped by every invalidation: a miss computed across one is not stored (it may be stale).
        self._epoch = 0
        ledger.subscribe(self.forget)
        notices.subscribe(self.clear)

    @classmethod
    def of(
        cls,
        ctx: TenantContext,
        *,
        ledger: FactSource,
        notices: NoticeVersions,
        feed: ChangeFeed | None = None,
    ) -> Gate:
        return cls(policy=ctx.policy, ledger=ledger, notices=notices, audit=ctx.audit, feed=feed)

    def decide(
        self, subject: str, purpose: str, data: Iterable[str] | str, recipient: str | None = None
    ) -> Decision:
        """The decision for one request; every allowance that releases data is sent to the audit log.

        `data` is one item (a str) or several; a str, tuple or frozenset is looked up as given, while a
        list or set is first turned into a frozenset (correct, a little slower).
        """
        try:
            decision, payload = self._cache[subject][(purpose, data, recipient)]
        except (KeyError, TypeError):  # TypeError: `data` unhashable (a list), so never a cache key
            decision, payload = self._miss(subject, purpose, data, recipient)
        else:
            if decision.allowed and _now() >= self._feed.trusted_until:  # withdrawn elsewhere, unheard?
                decision, payload = self._read_through(subject, purpose, data, recipient)
        if payload is not None:
            try:
                self._record(payload)
            except DecisionNotRecorded:  # a release nobody could prove afterwards does not happen
                return FIXED[ReasonCode.NOT_RECORDED]
        return decision

    def forget(self, subject: str) -> None:
        """The subject's facts changed (or the subject was erased): drop everything held about them."""
        self._epoch += 1
        self._cache.pop(subject, None)
        self._known.discard(subject)

    def clear(self) -> None:
        """Acceptable notice versions changed: every cached decision may be wrong."""
        self._epoch += 1
        self._acceptable = None
        self._cache.clear()

    def _miss(self, subject: str, purpose: str, data: Iterable[str] | str, recipient: str | None) -> _Cached:
        if _now() >= self._feed.trusted_until:
            return self._read_through(subject, purpose, data, recipient)
        epoch = self._epoch
        items = frozenset((data,)) if isinstance(data, str) else frozenset(data)
        key = (purpose, items, recipient)
        entry = self._cache.get(subject)
        cached = entry.get(key) if entry is not None else None
        if cached is None:
            self._validate(subject, purpose, items, recipient)
            acceptable = self._acceptable
            if acceptable is None:
                acceptable = self._acceptable = self._notices.acceptable_versions()
            if entry is not None:
                facts, restricted = entry.facts, entry.restricted
            else:
                facts, restricted = self._ledger.standing(subject)
            decision = self._judge(purpose, facts, restricted, items, recipient, acceptable)
            cached = (decision, self._payload(subject, purpose, items, recipient, decision))
            if epoch != self._epoch:  # facts or notices changed while deciding: answer, but do not keep
                return cached
            entry = self._store(subject, facts, restricted, entry, key, cached)
        if entry is not None and isinstance(data, str | tuple):  # also keep the request as given
            entry[(purpose, data, recipient)] = cached
        return cached

    def _read_through(
        self, subject: str, purpose: str, data: Iterable[str] | str, recipient: str | None
    ) -> _Cached:
        """The change feed is not caught up: the facts and the notices come from the database, and
        nothing is kept; if the database cannot answer either, the answer is a denial that says so."""
        items = frozenset((data,)) if isinstance(data, str) else frozenset(data)
        self._validate(subject, purpose, items, recipient)
        try:
            self._notices.invalidate()
            acceptable = self._notices.acceptable_versions()
            facts, restricted = self._ledger.standing(subject)
        except (SQLAlchemyError, OSError) as error:
            logger.warning("gate: facts unavailable, denying (%s)", error.__class__.__name__)
            return _UNAVAILABLE, None
        decision = self._judge(purpose, facts, restricted, items, recipient, acceptable)
        return decision, self._payload(subject, purpose, items, recipient, decision)

    def _judge(
        self,
        purpose: str,
        facts: SubjectFacts,
        restricted: bool,
        items: frozenset[str],
        recipient: str | None,
        acceptable: Mapping[str, frozenset[tuple[str, str]]],
    ) -> Decision:
        # A restriction (PIPL 44) stops every purpose, even those that need no consent.
        if restricted:
            return _RESTRICTED
        return decide_purely(
            self._policy.purposes[purpose], facts, items, recipient, acceptable.get(purpose, _NONE)
        )

    def _store(
        self,
        subject: str,
        facts: SubjectFacts,
        restricted: bool,
        entry: _SubjectEntry | None,
        key: tuple[str, Any, str | None],
        cached: _Cached,
    ) -> _SubjectEntry:
        if entry is None:
            if len(self._cache) >= self._max_subjects:
                del self._cache[next(iter(self._cache))]  # the oldest subject: insertion order
            entry = self._cache[subject] = _SubjectEntry(facts, restricted)
        entry[key] = cached
        return entry

    @staticmethod
    def _payload(
        subject: str, purpose: str, items: frozenset[str], recipient: str | None, decision: Decision
    ) -> dict[str, Any] | None:
        """Built once per cached request and handed to the audit log on each release (it must not mutate it)."""
        if not decision.allowed or not items:
            return None
        return {
            "subject": subject,
            "purpose": purpose,
            "data": sorted(items),
            "recipient": recipient,
            "reason": decision.reason_code.value,
            "consent_event_id": decision.consent_event_id,
        }

    def _validate(self, subject: str, purpose: str, items: frozenset[str], recipient: str | None) -> None:
        """Typed errors, with a "did you mean", before any decision: a typo must never read as a denial."""
        policy = self._policy
        if purpose not in policy.purposes:
            raise UnknownPurpose.from_key(
                "runtime.unknown_purpose",
                purpose=purpose,
                hint=hint(purpose, policy.purposes),
                known=", ".join(sorted(policy.purposes)),
            )
        unknown = items - policy.data
        if unknown:
            item = min(unknown)
            raise UnknownDataItem.from_key(
                "runtime.unknown_data",
                data=item,
                hint=hint(item, policy.data),
                known=", ".join(sorted(policy.data)),
            )
        if recipient is not None and recipient not in policy.recipients:
            raise UnknownRecipient.from_key(
                "runtime.unknown_recipient", recipient=recipient, hint=hint(recipient, policy.recipients)
            )
        if subject not in self._known:
            if not self._ledger.known_subject(subject):
                raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
            self._known.add(subject)
