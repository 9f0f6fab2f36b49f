"""Tenants share a database but nothing else: subjects, consents, profiles and audit chains stay apart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from consentgate.runtime.changes.hub import ChangeHub
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import TenantMismatch, UnknownConsentEvent, UnknownSubject
from consentgate.store.database import Database

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"


def _give_marketing(engine: Engine, subject: str) -> str:
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    engine.consent.register_subject(subject)
    event = engine.consent.give(
        subject, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version, data=("phone",)
    )
    return event.event_id


def test_one_tenants_subjects_and_consents_are_invisible_to_another(database_url: str) -> None:
    with (
        Engine.from_manifest(FIXED, create=True, database_url=database_url, tenant="a") as a,
        Engine.from_manifest(FIXED, create=True, database_url=database_url, tenant="b") as b,
    ):
        _give_marketing(a, "alice")
        assert a.gate.decide("alice", "marketing-sms", "phone").allowed
        with pytest.raises(UnknownSubject):
            b.gate.decide("alice", "marketing-sms", "phone")
        b.consent.register_subject("alice")  # the same id in tenant b is another person
        assert not b.gate.decide("alice", "marketing-sms", "phone").allowed
        assert b.consent.events("alice") == []
        a.auditlog.flush()
        b.auditlog.flush()
        assert a.auditlog.verify().ok and b.auditlog.verify().ok


def test_an_attribute_cannot_rest_on_another_tenants_consent(database_url: str) -> None:
    with (
        Engine.from_manifest(FIXED, create=True, database_url=database_url, tenant="a") as a,
        Engine.from_manifest(FIXED, create=True, database_url=database_url, tenant="b") as b,
    ):
        event_in_a = _give_marketing(a, "alice")
        b.consent.register_subject("alice")
        with pytest.raises(TenantMismatch) as mismatch:
            b.profiles.set(
                "alice", "phone", "13800000000", purposes=["marketing-sms"], consent_event_id=event_in_a
            )
        assert "“a”" in mismatch.value.text.zh and "'a'" in mismatch.value.text.en
        assert b.profiles.attributes("alice") == []


def test_an_attribute_cannot_rest_on_another_persons_consent(database_url: str) -> None:
    with Engine.from_manifest(FIXED, create=True, database_url=database_url) as engine:
        bobs = _give_marketing(engine, "bob")
        engine.consent.register_subject("carol")
        with pytest.raises(UnknownConsentEvent):
            engine.profiles.set(
                "carol", "phone", "13900000000", purposes=["marketing-sms"], consent_event_id=bobs
            )
        with pytest.raises(UnknownConsentEvent):
            engine.profiles.set(
                "carol", "phone", "13900000000", purposes=["marketing-sms"], consent_event_id="nope"
            )


def test_tenants_share_one_change_feed_and_a_change_reaches_only_its_own_tenant(database_url: str) -> None:
    """Another process's withdrawal in tenant a reaches a's cache through the one feed; b's stays warm."""
    feed = ChangeHub(database_url, stale_after=3600)  # only changes, never a slow machine, clear a cache
    with (
        Engine.from_manifest(FIXED, create=True, database_url=database_url, tenant="a") as elsewhere,
        Engine(elsewhere.loaded, Database(database_url), tenant="a", changes=feed) as a,
        Engine(elsewhere.loaded, Database(database_url), tenant="b", changes=feed) as b,
    ):
        assert feed.threads == 1
        deadline = time.monotonic() + 30
        while not feed.trusted():  # until its first catch-up, the gates read every decision through
            assert time.monotonic() < deadline, "the feed never caught up"
            time.sleep(0.005)
        _give_marketing(a, "alice")
        _give_marketing(b, "alice")
        assert a.gate.decide("alice", "marketing-sms", "phone").allowed
        warm = b.gate.decide("alice", "marketing-sms", "phone")
        assert warm.allowed and b.gate.decide("alice", "marketing-sms", "phone") is warm  # a cache hit
        elsewhere.consent.withdraw("alice", "marketing-sms")
        while a.gate.decide("alice", "marketing-sms", "phone").allowed:
            assert time.monotonic() < deadline, "tenant a never heard of the withdrawal"
            time.sleep(0.005)
        a.change_hub.poll()  # b's journal was read too: nothing in it for b
        assert b.gate.decide("alice", "marketing-sms", "phone") is warm  # b's cache was left alone
