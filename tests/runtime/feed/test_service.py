"""The feed over real services (SQLite and PostgreSQL): consent decides the mode, the next page obeys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from consentgate.runtime.consent.schemas import EventKind, Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownPurpose
from consentgate.runtime.feed.catalog import Catalog, parse_catalog
from consentgate.runtime.feed.errors import FeedMisconfigured, InvalidLimit
from consentgate.runtime.feed.rankers import PersonalizedRanker, Ranked, Why
from consentgate.runtime.feed.schemas import FeedPage
from consentgate.runtime.feed.service import FeedService
from tests.runtime.feed.conftest import PURPOSE, Onboard, build_feed

TEACHER_B2 = {"occupation": "teacher", "english-level": "B2"}


def _personalization_events(engine: Engine, subject: str) -> list[tuple[EventKind, Mechanism]]:
    return [(e.kind, e.mechanism) for e in engine.consent.events(subject) if e.purpose == PURPOSE]


def _assert_explained(page: FeedPage) -> None:
    """PIPL 24 / ARP 17: every item says why, in both languages, and links to the switch."""
    assert page.items
    for entry in page.items:
        assert entry.reason.zh and entry.reason.en
        assert entry.settings_link == "/me/privacy#personalization"


def test_a_new_user_gets_the_non_personalized_feed_labelled_as_such(feed: FeedService) -> None:
    page = feed.page("never-seen", limit=5)
    assert not page.personalized
    assert (page.label.zh, page.label.en) == ("未个性化推荐", "Not personalized")
    assert page.settings_label.en == "Turn on personalization"
    assert len(page.items) == 5
    assert all(not entry.matched and entry.why is not Why.MATCHED for entry in page.items)
    assert {entry.why for entry in page.items} <= {Why.POPULAR, Why.NEW, Why.EDITORS_PICK}
    _assert_explained(page)
    assert "未使用您的个人信息" in page.items[0].reason.zh


def test_answers_given_in_onboarding_personalize_the_feed_and_reasons_name_them(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("luo", TEACHER_B2)
    page = feed.page("luo", limit=5)
    assert page.personalized
    assert (page.label.zh, page.label.en) == ("个性化推荐", "Personalized")
    assert page.settings_label.zh == "关闭个性化推荐"
    _assert_explained(page)
    top = page.items[0]
    assert top.why is Why.MATCHED
    assert set(top.matched) == {"occupation", "english-level"}
    assert "teacher" in top.item.tags["occupation"]
    assert "职业：教师" in top.reason.zh and "语言水平：中高级" in top.reason.zh
    assert "Occupation: Teacher" in top.reason.en and "Language level: Upper intermediate" in top.reason.en
    # Lessons for teachers at that level outrank the most popular lesson of all.
    assert [e.item.id for e in page.items[:2]] == ["classroom-language", "parent-teacher-meeting"]


def test_turning_personalization_off_is_a_withdrawal_the_very_next_page_obeys(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("luo", TEACHER_B2)
    assert feed.page("luo").personalized
    event = feed.set_mode("luo", False)
    assert event is not None and event.kind is EventKind.WITHDRAWN and event.mechanism is Mechanism.SETTINGS
    assert event.evidence.screen_id == "/me/privacy#personalization"
    page = feed.page("luo")
    assert not page.personalized and page.label.en == "Not personalized"
    assert all(not entry.matched for entry in page.items)
    assert (EventKind.WITHDRAWN, Mechanism.SETTINGS) in _personalization_events(engine, "luo")
    assert engine.profiles.read("luo", PURPOSE) == {}  # the answers are not released to anyone now
    engine.auditlog.flush()
    assert engine.auditlog.verify().ok


def test_turning_it_back_on_consents_in_settings_on_the_current_notice(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("luo", TEACHER_B2)
    feed.set_mode("luo", False)
    given = feed.set_mode("luo", True)
    assert given is not None and given.kind is EventKind.GIVEN and given.mechanism is Mechanism.SETTINGS
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    assert (given.notice_id, given.notice_version) == (notice.notice_id, notice.version)
    assert set(given.data) == set(engine.manifest.purpose(PURPOSE).data)
    page = feed.page("luo")
    assert page.personalized and page.items[0].why is Why.MATCHED
    assert "occupation" in page.items[0].matched


def test_withdrawing_through_the_ledger_switches_the_feed_off_too(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("luo", TEACHER_B2)
    assert feed.page("luo").personalized and feed.is_personalized("luo")
    engine.consent.withdraw("luo", PURPOSE)
    assert not feed.page("luo").personalized
    assert not feed.is_personalized("luo")


def test_skipping_the_questions_leaves_the_feed_non_personalized(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("skipper", None)
    assert (EventKind.REFUSED, Mechanism.IN_FLOW) in _personalization_events(engine, "skipper")
    page = feed.page("skipper")
    assert not page.personalized
    assert feed.set_mode("skipper", False) is None  # nothing was given, so nothing to withdraw


def test_everybody_without_consent_gets_the_same_non_personalized_feed(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("withdrew", {"occupation": "software-engineer", "learning-goal": "ielts"})
    assert feed.page("withdrew").personalized
    feed.set_mode("withdrew", False)
    onboard("declined", None)
    pages = [feed.page(subject, limit=20) for subject in ("withdrew", "declined", "anonymous")]
    assert pages[0].items == pages[1].items == pages[2].items  # identical items, reasons and links
    assert pages[0].label == pages[1].label == pages[2].label
    assert not any(page.personalized for page in pages)


def test_switching_on_twice_or_off_twice_records_one_event(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("luo", TEACHER_B2)
    assert feed.set_mode("luo", True) is None  # the box ticked at onboarding covers all the purpose's data
    assert feed.set_mode("luo", False) is not None
    assert feed.set_mode("luo", False) is None
    assert feed.set_mode("luo", True) is not None
    assert feed.set_mode("luo", True) is None
    kinds = [kind for kind, _ in _personalization_events(engine, "luo")]
    assert kinds == [EventKind.GIVEN, EventKind.WITHDRAWN, EventKind.GIVEN]


def test_consent_without_answers_is_not_labelled_personalized(feed: FeedService) -> None:
    """The label must tell the truth: with no attribute released, nothing personal was used."""
    assert feed.set_mode("new-user", True) is not None
    assert feed.is_personalized("new-user")
    page = feed.page("new-user")
    assert not page.personalized and page.label.zh == "未个性化推荐"


class _Spy(PersonalizedRanker):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Mapping[str, Any]] = []

    def rank(self, catalog: Catalog, attributes: Mapping[str, Any], limit: int) -> list[Ranked]:
        self.seen.append(dict(attributes))
        return super().rank(catalog, attributes, limit)


def test_the_ranker_sees_only_released_attributes_the_catalog_can_match(
    engine: Engine, lessons: Catalog, onboard: Onboard
) -> None:
    spy = _Spy()
    feed = build_feed(engine, lessons, personalized_ranker=spy)
    feed.page("anonymous")
    assert spy.seen == []  # the non-personalized path never reaches it
    onboard("luo", {"occupation": "教师", "school-stage": "university"})
    page = feed.page("luo")
    assert spy.seen == [{"occupation": "教师"}]  # school-stage matches no dimension: never handed over
    assert page.items[0].matched == ("occupation",)


def test_a_derived_profile_tag_matches_until_its_lineage_is_withdrawn(
    engine: Engine, feed: FeedService, onboard: Onboard
) -> None:
    onboard("luo", {"occupation": "student"})
    occupation = next(a for a in engine.profiles.attributes("luo") if a.data_id == "occupation")
    engine.profiles.derive(
        "luo", "profile-tags", ["雅思"], derived_from=[occupation.attribute_id], purposes=[PURPOSE]
    )
    feed.set_mode("luo", True)  # the onboarding answer's consent did not name the tags; settings does
    top = feed.page("luo").items[0]
    assert set(top.matched) == {"occupation", "profile-tags"}
    assert "根据您的回答生成的学习标签：雅思备考" in top.reason.zh
    feed.set_mode("luo", False)
    assert not feed.page("luo").personalized


def test_feed_configuration_errors_are_typed(engine: Engine, lessons: Catalog) -> None:
    with pytest.raises(FeedMisconfigured) as kind:
        build_feed(engine, lessons, purpose="online-courses")
    assert kind.value.code == "feed.misconfigured" and "basic-function" in kind.value.text.zh
    with pytest.raises(UnknownPurpose) as unknown:
        build_feed(engine, lessons, purpose="personalised-push")
    assert "personalized-push" in unknown.value.text.en  # did you mean
    outside = parse_catalog(
        "dimensions:\n  - {id: contact, label: {zh: 电话, en: Phone}, data: [phone], values: {x: {zh: 甲, en: X}}}\n"
    )
    with pytest.raises(FeedMisconfigured) as beyond:
        build_feed(engine, outside)
    assert "phone" in beyond.value.text.en and "personalized-push" in beyond.value.text.zh
    feed = build_feed(engine, lessons)
    for limit in (0, 101):
        with pytest.raises(InvalidLimit) as bad:
            feed.page("anyone", limit=limit)
        assert str(limit) in bad.value.text.zh
