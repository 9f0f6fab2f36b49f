"""The two rankers: a blend that cannot see a person, and scoring on released attributes only."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

from consentgate.runtime.feed.catalog import Catalog, parse_catalog
from consentgate.runtime.feed.rankers import Blend, NonPersonalizedRanker, PersonalizedRanker, Why
from consentgate.runtime.ports import FakeClock

SMALL = """\
dimensions:
  - id: level
    label: {zh: 英语水平, en: English level}
    data: [english-level, profile-tags]
    values:
      beginner: {zh: 入门, en: Beginner, aliases: [A1]}
      advanced: {zh: 高级, en: Advanced}
  - id: occupation
    label: {zh: 职业, en: Occupation}
    data: [occupation, profile-tags]
    values:
      teacher: {zh: 教师, en: Teacher, aliases: [老师]}
      nurse: {zh: 护士, en: Nurse}
items:
  - {id: hit, title: {zh: 热门, en: Hit}, published_at: 2025-01-01, popularity: 1000}
  - {id: fresh, title: {zh: 新课, en: Fresh}, published_at: 2026-01-03, popularity: 100}
  - {id: picked, title: {zh: 精选, en: Picked}, published_at: 2025-01-01, popularity: 500, editors_pick: true}
  - id: teach-adv
    title: {zh: 教师高级, en: Teachers advanced}
    tags: {level: [advanced], occupation: [teacher]}
    published_at: 2025-01-01
    popularity: 10
  - id: teach-beg
    title: {zh: 教师入门, en: Teachers beginner}
    tags: {level: [beginner], occupation: [teacher]}
    published_at: 2025-01-01
    popularity: 20
  - id: nurse-beg
    title: {zh: 护士入门, en: Nurses beginner}
    tags: {level: [beginner], occupation: [nurse]}
    published_at: 2025-01-01
    popularity: 30
"""


def _catalog() -> Catalog:
    return parse_catalog(SMALL)


def _clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


def test_the_non_personalized_ranker_cannot_be_handed_a_subject_or_a_profile() -> None:
    parameters = list(inspect.signature(NonPersonalizedRanker.rank).parameters)
    assert parameters == ["self", "catalog", "limit"]
    constructor = set(inspect.signature(NonPersonalizedRanker.__init__).parameters)
    assert constructor == {"self", "clock", "blend"}


def test_the_blend_ranks_popular_new_and_picked_and_says_which() -> None:
    ranked = NonPersonalizedRanker(clock=_clock()).rank(_catalog(), 3)
    assert [(r.item.id, r.why) for r in ranked] == [
        ("hit", Why.POPULAR),  # 0.5 · 1.0
        ("picked", Why.EDITORS_PICK),  # 0.5 · 0.5 + 0.2
        ("fresh", Why.NEW),  # 0.5 · 0.1 + 0.3 · (1 - 2/30)
    ]
    assert ranked[0].score == 0.5 and not any(r.matches for r in ranked)


def test_the_blend_weights_are_configurable_and_freshness_fades() -> None:
    only_new = Blend(popular=0.0, fresh=1.0, editors=0.0, fresh_days=30)
    ranked = NonPersonalizedRanker(clock=_clock(), blend=only_new).rank(_catalog(), 1)
    assert ranked[0].item.id == "fresh"
    later = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    faded = NonPersonalizedRanker(clock=later, blend=only_new).rank(_catalog(), 6)
    assert {r.score for r in faded} == {0.0}
    assert next(r for r in faded if r.item.id == "fresh").why is Why.POPULAR  # no longer new


def test_matching_attributes_outrank_popularity_and_are_named() -> None:
    ranked = PersonalizedRanker().rank(_catalog(), {"occupation": "老师", "english-level": "A1"}, 6)
    assert ranked[0].item.id == "teach-beg"
    assert {(m.dimension, m.data_id, m.value) for m in ranked[0].matches} == {
        ("level", "english-level", "beginner"),
        ("occupation", "occupation", "teacher"),
    }
    assert [r.item.id for r in ranked[1:3]] == ["nurse-beg", "teach-adv"]  # one dimension each, by popularity
    unmatched = ranked[3:]
    assert [r.item.id for r in unmatched] == ["hit", "picked", "fresh"]
    assert all(r.why is Why.POPULAR and not r.matches for r in unmatched)


def test_derived_tag_lists_match_and_odd_values_match_nothing() -> None:
    ranked = PersonalizedRanker().rank(
        _catalog(), {"profile-tags": ["Nurse", "advanced"], "occupation": 7}, 2
    )
    assert [r.item.id for r in ranked] == ["nurse-beg", "teach-adv"]
    assert ranked[0].matched_data == ("profile-tags",)


def test_no_attributes_means_ranking_by_popularity_alone() -> None:
    ranked = PersonalizedRanker().rank(_catalog(), {}, 6)
    assert [r.item.id for r in ranked][:2] == ["hit", "picked"]
    assert all(r.why is Why.POPULAR for r in ranked)
