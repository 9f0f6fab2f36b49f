"""Verification of every table that decides, from one snapshot: the chain, the ledger, the projection.

`verify_tenant` is what `consentgate auditlog verify` runs: the chain walk (`verify.py`), then each
ledger event against the chain record that names it, then the projection against the ledger's fold
(`ledger_check.py`). `check_anchor` adds what no database can show about itself: that a chain is still
as long as a signed anchor says (`anchor.py`). `repair_projection` rewrites the projection from the
ledger, the one repair that needs no judgement (the ledger is the truth; the projection is derived).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.runtime.auditlog.anchor import Anchor, check_heads, signature_finding
from consentgate.runtime.auditlog.ledger_check import Bindings, check_ledger, check_projection
from consentgate.runtime.auditlog.repository import AuditRepository
from consentgate.runtime.auditlog.schemas import Finding, IntegrityReport
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.auditlog.verify import check_chain
from consentgate.runtime.consent.projection import fold
from consentgate.runtime.consent.repository import ConsentRepository
from consentgate.runtime.consent.schemas import SubjectFacts
from consentgate.runtime.keys.ring import KeyRing
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database

DEFAULT_LIMIT = 100


class _Collected:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.findings: list[Finding] = []
        self.total = 0

    def __call__(self, finding: Finding) -> None:
        self.total += 1
        if len(self.findings) < self.limit:
            self.findings.append(finding)


def _snapshot(db: Database, session: Session) -> None:
    if db.dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def verify_tenant(db: Database, tenant: str, *, limit: int = DEFAULT_LIMIT) -> IntegrityReport:
    """Checks the tenant's chain, its ledger against the chain and its projection against the ledger,
    from one snapshot (PostgreSQL: REPEATABLE READ; SQLite: the read transaction's lock)."""
    with db.reading() as session:
        _snapshot(db, session)
        return verify_in(session, tenant, dialect=db.dialect, limit=limit)


def verify_in(session: Session, tenant: str, *, dialect: str, limit: int = DEFAULT_LIMIT) -> IntegrityReport:
    """`verify_tenant` inside a caller's session (a test's transaction that tampers, then rolls back).

    When the chain itself is broken the ledger cannot be judged against it (what the chain binds past
    the break is unknown), so that step reports that instead of a flood of false forgeries.
    """
    audit = AuditRepository(tenant)
    consent = ConsentRepository(tenant, dialect)
    collected = _Collected(limit)
    bindings = Bindings()
    head = audit.read_head(session)
    records = audit.stream(session)
    try:
        chain = check_chain(records, head, lambda h: audit.by_hash(session, h), bindings.collect)
    finally:
        records.close()
    events = 0
    if chain.ok:
        events = check_ledger(session, tenant, bindings, collected)
    else:
        collected(Finding("consent_events", "*", message("auditlog.integrity.ledger_unchecked")))
    rows = check_projection(session, consent, collected)
    return IntegrityReport(
        tenant=tenant,
        chain=chain,
        events_checked=events,
        rows_checked=rows,
        findings=tuple(collected.findings),
        total=collected.total,
    )


def check_anchor(db: Database, anchor: Anchor, ring: KeyRing) -> list[Finding]:
    """The anchor's signature, then every tenant it names: still at least as long, same hash there."""
    with db.reading() as session:
        _snapshot(db, session)
        return check_anchor_in(session, anchor, ring)


def check_anchor_in(session: Session, anchor: Anchor, ring: KeyRing) -> list[Finding]:
    bad = signature_finding(anchor, ring)
    if bad is not None:
        return [bad]  # an unsigned claim proves nothing either way
    return check_heads(session, anchor)


def repair_projection(db: Database, tenant: str, *, clock: Clock, ids: IdFactory) -> int:
    """Rewrites the tenant's projection from its ledger, with a chain record saying so; returns the
    facts written. Writers wait meanwhile (as for `consent rebuild`); caches of other running processes
    keep their facts until they restart or the person's facts next change."""
    consent = ConsentRepository(tenant, db.dialect)
    log = AuditLog(db, tenant=tenant, clock=clock, ids=ids)
    try:
        with db.transaction() as session:
            consent.block_writers(session)
            counted = 0
            state: dict[str, SubjectFacts] = {}
            for subject, facts in fold(consent.stream_for_fold(session)).items():
                state[subject] = facts
                counted += len(facts)
            consent.replace_projection(session, state)
            log.record_change(session, "consent.projection_repaired", {"facts": counted})
        return counted
    finally:
        log.close()
