"""Correction (PIPL 46): the corrected value replaces the old one, and the tags built on it follow."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from consentgate.manifest.loader import LoadedManifest, parse_manifest
from consentgate.runtime.errors import UnknownDataItem
from consentgate.runtime.profiles.errors import DerivedNotCorrectable, NothingToCorrect
from consentgate.runtime.profiles.schemas import Attribute, AttributeSource
from consentgate.runtime.profiles.service import Deriver, ProfileStore
from tests.runtime.conftest import SEED_FIXED
from tests.runtime.profiles.conftest import OpenWorld, World, payloads

PUSH = "personalized-push"
TAGS = "profile-tags"
SEGMENT = "audience-segment"  # a tag derived from the tags: only in the layered manifest below


def layered_manifest() -> LoadedManifest:
    """The fixed seed app plus a second-level tag (an audience segment computed from the profile
    tags), so that a correction has to travel through a tag to a tag."""
    text = SEED_FIXED.read_text(encoding="utf-8")
    tags = "    derived_from: [occupation, learning-goal, english-level, school-stage]\n"
    segment = (
        f"  - id: {SEGMENT}\n    category: profile.inferred-tags\n    source: derived\n"
        f"    derived_from: [{TAGS}]\n"
    )
    push_data = f"data: [occupation, learning-goal, english-level, school-stage, {TAGS}]"
    assert tags in text and push_data in text
    text = text.replace(tags, tags + segment).replace(push_data, push_data[:-1] + f", {SEGMENT}]")
    return parse_manifest(text, "layered.yaml")


@dataclass
class Layered:
    """A tenant of the layered app with consent for personalized push covering every item of it."""

    world: World
    event: str

    @property
    def store(self) -> ProfileStore:
        return self.world.store

    def answer(self, data_id: str, value: Any) -> Attribute:
        return self.store.set("u1", data_id, value, purposes=[PUSH], consent_event_id=self.event)

    def tag(self, data_id: str, value: Any, *sources: Attribute) -> Attribute:
        return self.store.derive(
            "u1", data_id, value, derived_from=[s.attribute_id for s in sources], purposes=[PUSH]
        )

    def held(self) -> dict[str, Any]:
        return {a.data_id: a.value for a in self.store.attributes("u1")}


OpenLayered = Callable[..., Layered]  # (derivers=None) -> a fresh tenant of the layered app


@pytest.fixture(scope="module")
def layered() -> LoadedManifest:
    return layered_manifest()


@pytest.fixture
def open_layered(open_world: OpenWorld, layered: LoadedManifest) -> OpenLayered:
    def open_one(derivers: Mapping[str, Deriver] | None = None) -> Layered:
        world = open_world(loaded=layered, derivers=derivers)
        return Layered(world, world.give(PUSH))

    return open_one


def tags_of(sources: Mapping[str, Any]) -> list[str]:
    return sorted(f"{data_id}:{value}" for data_id, value in sources.items())


def segment_of(sources: Mapping[str, Any]) -> str:
    return "teachers" if "occupation:教师" in sources[TAGS] else "others"


def test_correcting_an_occupation_changes_what_read_returns(open_layered: OpenLayered) -> None:
    w = open_layered()
    typed = w.answer("occupation", "教师")

    correction = w.store.correct("u1", "occupation", "工程师")

    assert w.store.read("u1", PUSH) == {"occupation": "工程师"}
    assert w.held() == {"occupation": "工程师"}
    assert correction.previous == typed
    current = correction.current
    assert (current.value, current.source) == ("工程师", AttributeSource.TYPED)
    assert current.attribute_id != typed.attribute_id
    # What the person agreed to is unchanged: the same purposes, resting on the same consent.
    assert (current.purposes, current.consent_event_id) == ((PUSH,), w.event)
    assert (correction.recomputed, correction.dropped, correction.changed) == ((), (), ("occupation",))


def test_a_tag_from_the_corrected_value_is_recomputed_by_its_deriver(open_layered: OpenLayered) -> None:
    seen: list[dict[str, Any]] = []

    def derive_tags(sources: Mapping[str, Any]) -> list[str]:
        seen.append(dict(sources))
        return tags_of(sources)

    w = open_layered({TAGS: derive_tags})
    occupation, goal = w.answer("occupation", "教师"), w.answer("learning-goal", "考试")
    w.tag(TAGS, ["occupation:教师", "learning-goal:考试"], occupation, goal)

    correction = w.store.correct("u1", "occupation", "工程师")

    assert seen == [{"occupation": "工程师", "learning-goal": "考试"}]
    [tag] = correction.recomputed
    assert tag.value == ["learning-goal:考试", "occupation:工程师"]
    assert tag.derived_from == (correction.current.attribute_id, goal.attribute_id)
    assert (tag.source, tag.purposes) == (AttributeSource.DERIVED, (PUSH,))
    assert w.store.read("u1", PUSH)[TAGS] == tag.value  # its lineage resolves again, so it is readable
    assert correction.changed == ("occupation", TAGS)


def test_without_a_deriver_the_tag_from_the_corrected_value_is_deleted(open_layered: OpenLayered) -> None:
    w = open_layered()
    occupation = w.answer("occupation", "教师")
    w.tag(TAGS, ["occupation:教师"], occupation)

    correction = w.store.correct("u1", "occupation", "工程师")

    assert correction.dropped == (TAGS,) and correction.recomputed == ()
    assert w.held() == {"occupation": "工程师"}
    assert correction.changed == ("occupation", TAGS)


def test_a_tag_derived_from_a_recomputed_tag_is_recomputed_from_its_new_value(
    open_layered: OpenLayered,
) -> None:
    w = open_layered({TAGS: tags_of, SEGMENT: segment_of})
    occupation = w.answer("occupation", "教师")
    tags = w.tag(TAGS, ["occupation:教师"], occupation)
    w.tag(SEGMENT, "teachers", tags)

    correction = w.store.correct("u1", "occupation", "工程师")

    assert [(t.data_id, t.value) for t in correction.recomputed] == [
        (TAGS, ["occupation:工程师"]),
        (SEGMENT, "others"),
    ]
    new_tags, new_segment = correction.recomputed
    assert new_segment.derived_from == (new_tags.attribute_id,)
    assert w.store.read("u1", PUSH) == {
        "occupation": "工程师",
        TAGS: ["occupation:工程师"],
        SEGMENT: "others",
    }


def test_a_tag_whose_source_tag_was_deleted_is_deleted_too(open_layered: OpenLayered) -> None:
    # The segment has a deriver, but what it is computed from is gone.
    w = open_layered({SEGMENT: segment_of})
    occupation = w.answer("occupation", "教师")
    w.tag(SEGMENT, "teachers", w.tag(TAGS, ["occupation:教师"], occupation))

    correction = w.store.correct("u1", "occupation", "工程师")

    assert correction.dropped == (TAGS, SEGMENT) and correction.recomputed == ()
    assert w.held() == {"occupation": "工程师"}


def test_a_tag_resting_on_a_value_replaced_earlier_is_deleted_not_recomputed(
    open_layered: OpenLayered,
) -> None:
    w = open_layered({TAGS: tags_of})
    occupation, goal = w.answer("occupation", "教师"), w.answer("learning-goal", "考试")
    w.tag(TAGS, ["occupation:教师", "learning-goal:考试"], occupation, goal)
    w.answer("learning-goal", "留学")  # the tag is stale from here on (and hidden by read)

    correction = w.store.correct("u1", "occupation", "工程师")

    assert correction.dropped == (TAGS,)
    assert w.held() == {"occupation": "工程师", "learning-goal": "留学"}


def test_tags_from_other_values_are_left_alone(open_layered: OpenLayered) -> None:
    w = open_layered({TAGS: tags_of})
    w.answer("occupation", "教师")
    level = w.answer("english-level", "B2")
    tag = w.tag(TAGS, ["english-level:B2"], level)

    correction = w.store.correct("u1", "occupation", "工程师")

    assert (correction.recomputed, correction.dropped) == ((), ())
    assert [a for a in w.store.attributes("u1") if a.data_id == TAGS] == [tag]


def test_a_derived_tag_is_not_corrected_directly(open_layered: OpenLayered) -> None:
    w = open_layered({TAGS: tags_of})
    occupation = w.answer("occupation", "教师")
    w.tag(TAGS, ["occupation:教师"], occupation)
    before = w.store.attributes("u1")

    with pytest.raises(DerivedNotCorrectable) as refused:
        w.store.correct("u1", TAGS, ["occupation:工程师"])

    for text in (refused.value.text.zh, refused.value.text.en):
        assert TAGS in text and "occupation" in text
    assert refused.value.text.zh != refused.value.text.en
    assert w.store.attributes("u1") == before


def test_an_item_not_held_or_not_declared_cannot_be_corrected(open_layered: OpenLayered) -> None:
    w = open_layered()
    w.answer("occupation", "教师")

    with pytest.raises(NothingToCorrect) as nothing:
        w.store.correct("u1", "learning-goal", "考试")
    assert "learning-goal" in nothing.value.text.zh and "learning-goal" in nothing.value.text.en
    with pytest.raises(NothingToCorrect):
        w.store.correct("u2", "occupation", "工程师")  # another person's value is not theirs to correct
    with pytest.raises(UnknownDataItem):
        w.store.correct("u1", "ocupation", "工程师")
    assert w.held() == {"occupation": "教师"}


def test_the_audit_log_records_the_correction_and_each_tag_by_id_never_by_value(
    open_layered: OpenLayered,
) -> None:
    w = open_layered({TAGS: tags_of})
    occupation = w.answer("occupation", "教师职业")
    w.tag(TAGS, ["occupation:教师职业"], occupation)
    w.tag(SEGMENT, "teachers-segment", w.store.attributes("u1")[-1])
    before = w.world.last_seq()

    correction = w.store.correct("u1", "occupation", "工程师职业")

    changes = payloads(w.world.profile_changes(after_seq=before))
    assert [kind for kind, _ in changes] == ["profile.corrected", "profile.derive", "profile.dropped"]
    corrected, derived, dropped = (payload for _, payload in changes)
    assert corrected["replaced"] == occupation.attribute_id
    assert corrected["attribute_id"] == correction.current.attribute_id
    assert corrected["consent_event_id"] == w.event
    assert derived["derived_from"] == [correction.current.attribute_id]
    # The chain names the person by their ref, so that it can outlive an erasure.
    assert (dropped["data"], dropped["subject_ref"]) == (SEGMENT, w.world.engine.consent.ref("u1"))
    logged = json.dumps(changes, ensure_ascii=False)
    for value in ("职业", "teachers-segment", '"u1"'):
        assert value not in logged


def test_a_failing_deriver_leaves_the_old_value_and_its_tags(open_layered: OpenLayered) -> None:
    def broken(_: Mapping[str, Any]) -> Any:
        raise ValueError("deriver bug")

    w = open_layered({TAGS: broken})
    occupation = w.answer("occupation", "教师")
    w.tag(TAGS, ["occupation:教师"], occupation)
    before = w.store.attributes("u1")

    with pytest.raises(ValueError, match="deriver bug"):
        w.store.correct("u1", "occupation", "工程师")

    assert w.store.attributes("u1") == before


def test_correct_in_commits_or_rolls_back_with_the_callers_transaction(open_layered: OpenLayered) -> None:
    w = open_layered()
    w.answer("occupation", "教师")

    class CallerFailed(Exception):
        pass

    with pytest.raises(CallerFailed), w.world.engine.database.transaction() as session:
        w.store.correct_in(session, "u1", "occupation", "工程师")
        raise CallerFailed
    assert w.held() == {"occupation": "教师"}

    with w.world.engine.database.transaction() as session:
        w.store.correct_in(session, "u1", "occupation", "工程师")
    assert w.held() == {"occupation": "工程师"}


def test_a_deriver_for_an_item_the_manifest_does_not_declare_is_refused(
    open_world: OpenWorld, layered: LoadedManifest
) -> None:
    engine = open_world(loaded=layered).engine
    with pytest.raises(UnknownDataItem):
        ProfileStore(
            engine.database,
            tenant=engine.tenant,
            clock=engine.clock,
            ids=engine.ids,
            audit=engine.auditlog,
            gate=engine.gate,
            manifest=engine.manifest,
            derivers={"profile-tag": tags_of},
        )
