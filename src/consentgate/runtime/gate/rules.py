"""The decision itself: a pure function of facts loaded before it, so it can be cached and benchmarked.

The order of the checks is the order of the law:
1. purpose limitation (PIPL 6): data and recipients must be among those the purpose declares;
2. PIPL 13 para 2: data the purpose may process without consent (contract necessity for a basic
   function's necessary data, items (3)-(7)) flows without any consent, even where another article
   would otherwise ask for separate consent;
3. everything else needs a live consent fact for the purpose — for sharing with a third party, a
   separate consent naming that recipient (PIPL 23); for sensitive data, a separate consent (PIPL 29)
   — given on a notice version still acceptable (PIPL 14: a material change needs consent again) and
   covering the requested data.
"""

from __future__ import annotations

from types import MappingProxyType

from consentgate.manifest.models import Basis
from consentgate.runtime.consent.schemas import EventKind, Mechanism, SubjectFacts
from consentgate.runtime.gate.decision import Decision, ReasonCode
from consentgate.runtime.gate.reasons import FIXED, REASONS
from consentgate.runtime.policy import PurposePolicy

R = ReasonCode

_BY_BASIS = MappingProxyType(
    {
        Basis.CONTRACT_NECESSITY: FIXED[R.CONTRACT_NECESSITY],
        Basis.LEGAL_OBLIGATION: FIXED[R.LEGAL_OBLIGATION],
        Basis.EMERGENCY: FIXED[R.EMERGENCY],
        Basis.NEWS_REPORTING: FIXED[R.NEWS_REPORTING],
        Basis.PUBLIC_INFORMATION: FIXED[R.PUBLIC_INFORMATION],
        Basis.OTHER_LAW: FIXED[R.OTHER_LAW],
    }
)
_BY_STATUS = MappingProxyType(
    {
        EventKind.REFUSED: FIXED[R.REFUSED],
        EventKind.WITHDRAWN: FIXED[R.WITHDRAWN],
        EventKind.EXPIRED: FIXED[R.EXPIRED],
    }
)
_OUTSIDE = FIXED[R.DATA_OUTSIDE_PURPOSE]
_RECIPIENT_OUTSIDE = FIXED[R.RECIPIENT_OUTSIDE_PURPOSE]
_RECIPIENT_NOT_NAMED = FIXED[R.RECIPIENT_NOT_NAMED]
_NOT_NECESSARY = FIXED[R.NOT_NECESSARY_FOR_CONTRACT]
_NO_CONSENT = FIXED[R.NO_CONSENT]
_STALE = FIXED[R.STALE_NOTICE]
_NOT_COVERED = FIXED[R.DATA_NOT_CONSENTED]
_SHARING_SEPARATE = FIXED[R.SHARING_NEEDS_SEPARATE_CONSENT]
_SENSITIVE_SEPARATE = FIXED[R.SENSITIVE_NEEDS_SEPARATE_CONSENT]
_CONSENT = REASONS[R.CONSENT]
_SEPARATE = REASONS[R.SEPARATE_CONSENT]
_GIVEN = EventKind.GIVEN
_SEPARATE_MECHANISM = Mechanism.SEPARATE
_CONTRACT = Basis.CONTRACT_NECESSITY


def decide(
    policy: PurposePolicy,
    facts: SubjectFacts,
    data: frozenset[str],
    recipient: str | None,
    acceptable: frozenset[tuple[str, str]],
) -> Decision:
    """May `data` be processed for `policy`'s purpose (and provided to `recipient`), given the subject's facts?

    `acceptable` holds the (notice_id, version) pairs on which a consent for this purpose is still live.
    An empty `data` asks whether the purpose may run at all. A consent whose `data` is empty covers
    every data item the purpose declares (a consent box for the purpose as the notice describes it).
    """
    if not data <= policy.data:
        return _OUTSIDE
    if recipient is not None and recipient not in policy.recipients:
        return _RECIPIENT_OUTSIDE
    needed = data - policy.without_consent
    if not needed and policy.without_consent and (data or not policy.needs_consent):
        return _BY_BASIS[policy.basis]

    sharing = policy.separate_for_recipients
    if sharing:
        if recipient is None:
            return _RECIPIENT_NOT_NAMED
        fact = facts.get((policy.id, recipient))
    else:
        fact = facts.get((policy.id, None))
    if fact is None:
        return _NOT_NECESSARY if policy.basis is _CONTRACT else _NO_CONSENT
    if fact.status is not _GIVEN:
        return _BY_STATUS[fact.status]
    if (fact.notice_id, fact.notice_version) not in acceptable:
        return _STALE
    separate = sharing or not needed.isdisjoint(policy.separate_for_data)
    if separate and fact.mechanism is not _SEPARATE_MECHANISM:
        return _SHARING_SEPARATE if sharing else _SENSITIVE_SEPARATE
    if fact.data and not needed.issubset(fact.data):
        return _NOT_COVERED
    reason, code = (_SEPARATE, R.SEPARATE_CONSENT) if separate else (_CONSENT, R.CONSENT)
    return Decision(True, code, reason.message, reason.citations, fact.event_id)
