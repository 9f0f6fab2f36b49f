"""Parallel give/withdraw on one subject lose no event, and the projection stays a true fold."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.projection import fold
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import FakeClock, Uuid7Ids
from consentgate.store.database import Database

from .conftest import NOTICE, TENANT

THREADS = 4
ROUNDS = 50


def test_parallel_give_and_withdraw_on_one_subject_lose_no_event(
    database: Database, clock: FakeClock, audit: AuditLog, notices: NoticeService, policy: Policy
) -> None:
    ledger = ConsentLedger(
        database, tenant=TENANT, clock=clock, ids=Uuid7Ids(), audit=audit, notices=notices, policy=policy
    )
    ledger.register_subject("busy")

    def churn(worker: int) -> list[str]:
        ids = []
        for round_ in range(ROUNDS):
            if (worker + round_) % 2 == 0:
                event = ledger.give("busy", "marketing-sms", notice_id=NOTICE, notice_version="2024-01")
            else:
                event = ledger.withdraw("busy", "marketing-sms")
            ids.append(event.event_id)
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        acknowledged = [i for ids in pool.map(churn, range(THREADS)) for i in ids]

    events = ledger.events("busy")
    assert len(events) == THREADS * ROUNDS
    assert {e.event_id for e in events} == set(acknowledged)
    seqs = [e.seq for e in events]
    assert all(a < b for a, b in pairwise(seqs))
    live = ledger.projection()
    assert live == fold(events)
    assert live["busy"]["marketing-sms", None].event_id == events[-1].event_id
    ledger.rebuild()
    assert ledger.projection() == live
    assert audit.verify().ok
