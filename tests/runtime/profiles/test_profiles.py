"""The purpose-bound profile store: reads follow live consent, derived tags follow their lineage."""

from __future__ import annotations

import threading

import pytest

from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose
from consentgate.runtime.profiles.errors import UndeclaredLineage, UnknownAttribute
from consentgate.runtime.profiles.schemas import AttributeSource
from tests.runtime.profiles.conftest import OpenWorld, World, payloads

PUSH = "personalized-push"


def test_read_never_returns_an_attribute_for_a_purpose_it_was_not_consented_for(world: World) -> None:
    world.store.set("u1", "phone", "13800000000", purposes=["online-courses"], consent_event_id=None)
    event = world.give(PUSH, data=["occupation"])
    world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    world.store.set("u1", "learning-goal", "考试", purposes=[PUSH], consent_event_id=event)

    assert world.store.read("u1", "online-courses") == {"phone": "13800000000"}
    # The consent covers the occupation only, so the learning goal stays out.
    assert world.store.read("u1", PUSH) == {"occupation": "教师"}
    world.give(PUSH, data=["occupation", "learning-goal"])
    assert world.store.read("u1", PUSH) == {"occupation": "教师", "learning-goal": "考试"}
    # The phone is held, but marketing has no consent and the phone was not collected for it.
    assert world.store.read("u1", "marketing-sms") == {}
    world.give("marketing-sms", data=["phone"])
    # New consent for a purpose the manifest (and so the notice) declares the phone for makes it usable
    # there (PIPL 14 para 2: a new purpose needs new consent, and now it has one) — and nothing more.
    assert world.store.read("u1", "marketing-sms") == {"phone": "13800000000"}
    world.withdraw("marketing-sms")
    assert world.store.read("u1", "marketing-sms") == {}
    # A consent to everything personalized push declares still does not reach the phone: it was not
    # collected for that purpose and the manifest does not declare it there (PIPL 6).
    world.give(PUSH)
    assert world.store.read("u1", PUSH) == {"occupation": "教师", "learning-goal": "考试"}


def test_an_attribute_without_live_consent_is_not_read(world: World) -> None:
    world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=None)
    assert world.store.read("u1", PUSH) == {}
    world.give(PUSH, data=["occupation"])
    assert world.store.read("u1", PUSH) == {"occupation": "教师"}


def test_withdrawal_hides_dependent_derived_tags_at_once(world: World) -> None:
    event = world.give(PUSH, data=["occupation", "learning-goal", "profile-tags"])
    occupation = world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    goal = world.store.set("u1", "learning-goal", "考试", purposes=[PUSH], consent_event_id=event)
    world.store.derive(
        "u1",
        "profile-tags",
        ["teacher", "exam"],
        derived_from=[occupation.attribute_id, goal.attribute_id],
        purposes=[PUSH],
    )
    assert world.store.read("u1", PUSH)["profile-tags"] == ["teacher", "exam"]

    world.withdraw(PUSH)

    assert world.store.read("u1", PUSH) == {}
    # Still held (deletion is a separate right), just no longer usable for the purpose.
    assert {a.data_id for a in world.store.attributes("u1")} == {
        "occupation",
        "learning-goal",
        "profile-tags",
    }


def test_a_tag_is_hidden_when_any_attribute_of_its_lineage_is_not_readable(world: World) -> None:
    event = world.give(PUSH, data=["occupation", "profile-tags"])
    occupation = world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    # Collected for another purpose only: not readable for personalized push.
    goal = world.store.set("u1", "learning-goal", "考试", purposes=["certificates"], consent_event_id=None)
    world.store.derive(
        "u1",
        "profile-tags",
        ["t"],
        derived_from=[occupation.attribute_id, goal.attribute_id],
        purposes=[PUSH],
    )
    assert world.store.read("u1", PUSH) == {"occupation": "教师"}


def test_replacing_a_source_value_hides_the_tag_derived_from_the_old_value(world: World) -> None:
    event = world.give(PUSH, data=["occupation", "profile-tags"])
    occupation = world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    world.store.derive(
        "u1", "profile-tags", ["teacher"], derived_from=[occupation.attribute_id], purposes=[PUSH]
    )
    world.store.set("u1", "occupation", "学生", purposes=[PUSH], consent_event_id=event)
    assert world.store.read("u1", PUSH) == {"occupation": "学生"}


def test_lineage_source_and_consent_event_are_kept(world: World) -> None:
    event = world.give(PUSH, data=["occupation", "english-level"])
    occupation = world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=event)
    level = world.store.set("u1", "english-level", {"cefr": "B2"}, purposes=[PUSH], consent_event_id=event)
    tag = world.store.derive(
        "u1",
        "profile-tags",
        ["b2-teacher"],
        derived_from=[occupation.attribute_id, level.attribute_id],
        purposes=[PUSH],
    )
    stored = {a.data_id: a for a in world.store.attributes("u1")}
    assert stored["profile-tags"].derived_from == (occupation.attribute_id, level.attribute_id)
    assert stored["profile-tags"].source is AttributeSource.DERIVED
    assert stored["profile-tags"] == tag
    assert stored["occupation"].source is AttributeSource.TYPED
    assert stored["occupation"].consent_event_id == event
    assert stored["english-level"].value == {"cefr": "B2"}
    assert stored["occupation"].created_at.tzinfo is not None


def test_set_keeps_one_current_value_and_audits_without_the_value(world: World) -> None:
    first = world.store.set("u1", "occupation", "教师职业", purposes=[PUSH], consent_event_id=None)
    second = world.store.set("u1", "occupation", "工程师职业", purposes=[PUSH], consent_event_id=None)
    stored = world.store.attributes("u1")
    assert [(a.data_id, a.value) for a in stored] == [("occupation", "工程师职业")]
    changes = payloads(world.profile_changes())
    assert [kind for kind, _ in changes] == ["profile.set", "profile.set"]
    last = changes[-1][1]
    assert last["attribute_id"] == second.attribute_id
    assert last["replaced"] == first.attribute_id
    assert last["purposes"] == [PUSH]
    assert "职业" not in repr(changes)  # never the personal value itself


def test_unknown_data_item_and_purpose_are_typed_errors(world: World) -> None:
    with pytest.raises(UnknownDataItem) as data_error:
        world.store.set("u1", "ocupation", "x", purposes=[PUSH], consent_event_id=None)
    assert "occupation" in data_error.value.text.en and "occupation" in data_error.value.text.zh
    with pytest.raises(UnknownPurpose):
        world.store.set("u1", "occupation", "x", purposes=["personalised-push"], consent_event_id=None)
    with pytest.raises(UnknownPurpose):
        world.store.read("u1", "nope")
    assert world.store.attributes("u1") == []


def test_derive_needs_existing_and_declared_sources(world: World) -> None:
    name = world.store.set("u1", "english-name", "Luo", purposes=["certificates"], consent_event_id=None)
    with pytest.raises(UnknownAttribute):
        world.store.derive("u1", "profile-tags", ["t"], derived_from=["no-such-attribute"], purposes=[PUSH])
    # The manifest says profile-tags come from the questionnaire answers, not from the name.
    with pytest.raises(UndeclaredLineage) as lineage:
        world.store.derive("u1", "profile-tags", ["t"], derived_from=[name.attribute_id], purposes=[PUSH])
    assert "english-name" in lineage.value.text.en
    assert [a.data_id for a in world.store.attributes("u1")] == ["english-name"]


def test_a_failed_write_leaves_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.store.set("u1", "occupation", "教师", purposes=[PUSH], consent_event_id=None)

    class Broken(Exception):
        pass

    def fail(*_: object) -> None:
        raise Broken

    monkeypatch.setattr(world.engine.auditlog, "record_change", fail)
    with pytest.raises(Broken):
        world.store.set("u1", "occupation", "学生", purposes=[PUSH], consent_event_id=None)
    assert [a.value for a in world.store.attributes("u1")] == ["教师"]


def test_tenants_do_not_see_each_other(open_world: OpenWorld) -> None:
    a, b = open_world("tenant-a"), open_world("tenant-b")
    a.store.set("u1", "phone", "13800000000", purposes=["online-courses"], consent_event_id=None)
    assert b.store.attributes("u1") == []
    assert b.store.read("u1", "online-courses") == {}
    b.store.set("u1", "phone", "13900000000", purposes=["online-courses"], consent_event_id=None)
    assert a.store.read("u1", "online-courses") == {"phone": "13800000000"}


def test_concurrent_sets_of_one_item_leave_exactly_one_current_value(world: World) -> None:
    values = [f"职业{n}" for n in range(8)]
    barrier = threading.Barrier(len(values))
    errors: list[BaseException] = []

    def write(value: str) -> None:
        barrier.wait()
        try:
            world.store.set("u1", "occupation", value, purposes=[PUSH], consent_event_id=None)
        except BaseException as exc:  # collected, so the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = world.store.attributes("u1")
    assert len(stored) == 1 and stored[0].value in values
