"""The purpose-bound profile store: reads follow live consent, derived tags follow their lineage."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose
from consentgate.runtime.policy import compile_policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.profiles.errors import UndeclaredLineage, UnknownAttribute
from consentgate.runtime.profiles.schemas import AttributeSource
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.store.database import Database
from tests.runtime.profiles.fakes import FakeAudit, FakeGate, FakeLedger, fixed_manifest

PUSH = "personalized-push"


@dataclass
class World:
    store: ProfileStore
    ledger: FakeLedger
    gate: FakeGate
    audit: FakeAudit


def world(database: Database, tenant: str = "t1") -> World:
    manifest = fixed_manifest()
    policy = compile_policy(manifest)
    ledger = FakeLedger(policy, tenant=tenant)
    gate = FakeGate(policy, ledger)
    audit = FakeAudit()
    store = ProfileStore(
        database,
        tenant=tenant,
        clock=FakeClock(),
        ids=SequentialIds(f"{tenant}-attr"),
        audit=audit,
        gate=gate,
        manifest=manifest,
        consent_owner=ledger.owner,
    )
    ledger.register_subject("u1")
    return World(store, ledger, gate, audit)


def test_read_never_returns_an_attribute_for_a_purpose_it_was_not_consented_for(database: Database) -> None:
    w = world(database)
    w.store.set("u1", "phone", "13800000000", purposes=["online-courses"], consent_event_id=None)
    event = w.ledger.give("u1", PUSH, data=["occupation"])
    w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    w.store.set("u1", "learning-goal", "考试", purposes=[PUSH], consent_event_id=event)

    assert w.store.read("u1", "online-courses") == {"phone": "13800000000"}
    # The consent covers the occupation only, so the learning goal stays out.
    assert w.store.read("u1", PUSH) == {"occupation": "教师"}
    w.ledger.give("u1", PUSH, data=["occupation", "learning-goal"])
    assert w.store.read("u1", PUSH) == {"occupation": "教师", "learning-goal": "考试"}
    # The phone is held, but marketing has no consent and the phone was not collected for it.
    assert w.store.read("u1", "marketing-sms") == {}
    w.ledger.give("u1", "marketing-sms", data=["phone"])
    # New consent for a purpose the manifest (and so the notice) declares the phone for makes it usable
    # there (PIPL 14 para 2: a new purpose needs new consent, and now it has one) — and nothing more.
    assert w.store.read("u1", "marketing-sms") == {"phone": "13800000000"}
    w.ledger.withdraw("u1", "marketing-sms")
    assert w.store.read("u1", "marketing-sms") == {}


def test_an_attribute_without_live_consent_is_not_read(database: Database) -> None:
    w = world(database)
    w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=None)
    assert w.store.read("u1", PUSH) == {}
    w.ledger.give("u1", PUSH, data=["occupation"])
    assert w.store.read("u1", PUSH) == {"occupation": "教师"}


def test_withdrawal_hides_dependent_derived_tags_at_once(database: Database) -> None:
    w = world(database)
    event = w.ledger.give("u1", PUSH, data=["occupation", "learning-goal", "profile-tags"])
    occupation = w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    goal = w.store.set("u1", "learning-goal", "考试", purposes=[PUSH], consent_event_id=event)
    w.store.derive(
        "u1",
        "profile-tags",
        ["teacher", "exam"],
        derived_from=[occupation.attribute_id, goal.attribute_id],
        purposes=[PUSH],
    )
    assert w.store.read("u1", PUSH)["profile-tags"] == ["teacher", "exam"]

    w.ledger.withdraw("u1", PUSH)

    assert w.store.read("u1", PUSH) == {}
    # Still held (deletion is a separate right), just no longer usable for the purpose.
    assert {a.data_id for a in w.store.attributes("u1")} == {"occupation", "learning-goal", "profile-tags"}


def test_a_tag_is_hidden_when_any_attribute_of_its_lineage_is_not_readable(database: Database) -> None:
    w = world(database)
    event = w.ledger.give("u1", PUSH, data=["occupation", "profile-tags"])
    occupation = w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    # Collected for another purpose only: not readable for personalized push.
    goal = w.store.set("u1", "learning-goal", "考试", purposes=["certificates"], consent_event_id=None)
    w.store.derive(
        "u1",
        "profile-tags",
        ["t"],
        derived_from=[occupation.attribute_id, goal.attribute_id],
        purposes=[PUSH],
    )
    assert w.store.read("u1", PUSH) == {"occupation": "教师"}


def test_replacing_a_source_value_hides_the_tag_derived_from_the_old_value(database: Database) -> None:
    w = world(database)
    event = w.ledger.give("u1", PUSH, data=["occupation", "profile-tags"])
    occupation = w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    w.store.derive("u1", "profile-tags", ["teacher"], derived_from=[occupation.attribute_id], purposes=[PUSH])
    w.store.set("u1", "occupation", "学生", purposes=[PUSH], consent_event_id=event)
    assert w.store.read("u1", PUSH) == {"occupation": "学生"}


def test_lineage_source_and_consent_event_are_kept(database: Database) -> None:
    w = world(database)
    event = w.ledger.give("u1", PUSH, data=["occupation", "english-level"])
    occupation = w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    level = w.store.set("u1", "english-level", {"cefr": "B2"}, purposes=[PUSH], consent_event_id=event)
    tag = w.store.derive(
        "u1",
        "profile-tags",
        ["b2-teacher"],
        derived_from=[occupation.attribute_id, level.attribute_id],
        purposes=[PUSH],
    )
    stored = {a.data_id: a for a in w.store.attributes("u1")}
    assert stored["profile-tags"].derived_from == (occupation.attribute_id, level.attribute_id)
    assert stored["profile-tags"].source is AttributeSource.DERIVED
    assert stored["profile-tags"] == tag
    assert stored["occupation"].source is AttributeSource.TYPED
    assert stored["occupation"].consent_event_id == event
    assert stored["english-level"].value == {"cefr": "B2"}
    assert stored["occupation"].created_at.tzinfo is not None


def test_set_keeps_one_current_value_and_audits_without_the_value(database: Database) -> None:
    w = world(database)
    first = w.store.set("u1", "occupation", "教师职业", purposes=[PUSH], consent_event_id=None)
    second = w.store.set("u1", "occupation", "工程师职业", purposes=[PUSH], consent_event_id=None)
    stored = w.store.attributes("u1")
    assert [(a.data_id, a.value) for a in stored] == [("occupation", "工程师职业")]
    assert [kind for kind, _ in w.audit.changes] == ["profile.set", "profile.set"]
    last = w.audit.changes[-1][1]
    assert last["attribute_id"] == second.attribute_id
    assert last["replaced"] == first.attribute_id
    assert last["purposes"] == [PUSH]
    assert "职业" not in repr(w.audit.changes)  # never the personal value itself


def test_unknown_data_item_and_purpose_are_typed_errors(database: Database) -> None:
    w = world(database)
    with pytest.raises(UnknownDataItem) as data_error:
        w.store.set("u1", "ocupation", "x", purposes=[PUSH], consent_event_id=None)
    assert "occupation" in data_error.value.text.en and "occupation" in data_error.value.text.zh
    with pytest.raises(UnknownPurpose):
        w.store.set("u1", "occupation", "x", purposes=["personalised-push"], consent_event_id=None)
    with pytest.raises(UnknownPurpose):
        w.store.read("u1", "nope")
    assert w.store.attributes("u1") == []


def test_derive_needs_existing_and_declared_sources(database: Database) -> None:
    w = world(database)
    name = w.store.set("u1", "english-name", "Luo", purposes=["certificates"], consent_event_id=None)
    with pytest.raises(UnknownAttribute):
        w.store.derive("u1", "profile-tags", ["t"], derived_from=["no-such-attribute"], purposes=[PUSH])
    # The manifest says profile-tags come from the questionnaire answers, not from the name.
    with pytest.raises(UndeclaredLineage) as lineage:
        w.store.derive("u1", "profile-tags", ["t"], derived_from=[name.attribute_id], purposes=[PUSH])
    assert "english-name" in lineage.value.text.en
    assert [a.data_id for a in w.store.attributes("u1")] == ["english-name"]


def test_a_failed_write_leaves_nothing(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world(database)
    w.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=None)

    class Broken(Exception):
        pass

    def fail(*_: object) -> None:
        raise Broken

    monkeypatch.setattr(w.audit, "record_change", fail)
    with pytest.raises(Broken):
        w.store.set("u1", "occupation", "学生", purposes=[PUSH], consent_event_id=None)
    assert [a.value for a in w.store.attributes("u1")] == ["教师"]


def test_tenants_do_not_see_each_other(database: Database) -> None:
    a, b = world(database, "tenant-a"), world(database, "tenant-b")
    a.store.set("u1", "phone", "13800000000", purposes=["online-courses"], consent_event_id=None)
    assert b.store.attributes("u1") == []
    assert b.store.read("u1", "online-courses") == {}
    b.store.set("u1", "phone", "13900000000", purposes=["online-courses"], consent_event_id=None)
    assert a.store.read("u1", "online-courses") == {"phone": "13800000000"}


def test_concurrent_sets_of_one_item_leave_exactly_one_current_value(database: Database) -> None:
    w = world(database)
    values = [f"职业{n}" for n in range(8)]
    barrier = threading.Barrier(len(values))
    errors: list[BaseException] = []

    def write(value: str) -> None:
        barrier.wait()
        try:
            w.store.set("u1", "occupation", value, purposes=[PUSH], consent_event_id=None)
        except BaseException as exc:  # collected, so the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = w.store.attributes("u1")
    assert len(stored) == 1 and stored[0].value in values
