"""Onboarding over the fixed app on the real engine: only a tick consents, one box per purpose and recipient."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.manifest.models import Manifest
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownDataItem, UnknownNotice
from consentgate.runtime.onboarding.errors import RequiredFieldMissing, UnknownScreen
from consentgate.runtime.sharing.schemas import TransferStatus
from tests.runtime.onboarding.conftest import (
    APP_A,
    APP_B,
    LOGIN,
    PUSH,
    QUESTIONNAIRE,
    SHARE,
    engine_over,
    fixed_manifest,
    of_kind,
    to_questionnaire,
)

BOX_PUSH = "consent:personalized-push"
BOX_A, BOX_B = f"consent:{SHARE}:{APP_A}", f"consent:{SHARE}:{APP_B}"


def test_filling_every_optional_question_without_ticking_gives_nothing_and_keeps_nothing(
    engine: Engine,
) -> None:
    to_questionnaire(engine)
    after = engine.onboarding.submit("u1", "questionnaire", QUESTIONNAIRE)
    assert after.screen_id == "marketing-opt-in"
    assert of_kind(engine, EventKind.GIVEN) == []
    assert not engine.gate.decide("u1", PUSH, ["occupation"]).allowed
    assert set(QUESTIONNAIRE).isdisjoint(a.data_id for a in engine.profiles.attributes("u1"))
    assert engine.profiles.read("u1", PUSH) == {}
    # The unticked box is a refusal on record: the person was asked and did not agree.
    [refused] = of_kind(engine, EventKind.REFUSED)
    assert (refused.purpose, refused.recipient) == (PUSH, None)
    # The answers are not asked again either: they were given and dropped, not forgotten as a question.
    assert engine.onboarding.skip("u1", "marketing-opt-in").is_home


def test_a_ticked_box_is_the_consent_and_the_answers_rest_on_it(engine: Engine) -> None:
    to_questionnaire(engine)
    evidence = Evidence(user_agent="test-agent", ip_hash="abc")
    values = {"occupation": "教师", "english-level": "", BOX_PUSH: True}
    engine.onboarding.submit("u1", "questionnaire", values, evidence=evidence)
    [event] = of_kind(engine, EventKind.GIVEN)
    assert (event.purpose, event.recipient, event.mechanism) == (PUSH, None, Mechanism.IN_FLOW)
    # The box consents to the purpose as the notice describes it: all its data, derived tags included.
    assert set(event.data) == {"occupation", "learning-goal", "english-level", "school-stage", "profile-tags"}
    assert (event.notice_id, event.notice_version) == ("privacy-policy", "2024-01")
    assert event.evidence == Evidence(
        screen_id="questionnaire", locale="zh", user_agent="test-agent", ip_hash="abc"
    )
    assert of_kind(engine, EventKind.REFUSED) == []
    stored = {a.data_id: a for a in engine.profiles.attributes("u1")}
    assert stored["occupation"].consent_event_id == event.event_id
    assert "english-level" not in stored  # an empty answer is "don't collect"
    assert engine.profiles.read("u1", PUSH) == {"occupation": "教师"}
    assert engine.gate.decide("u1", PUSH, ["occupation"]).allowed


@pytest.mark.parametrize("not_a_tick", ["yes", "on", 1, "true"])
def test_only_true_ticks_a_box(engine: Engine, not_a_tick: object) -> None:
    to_questionnaire(engine)
    engine.onboarding.submit("u1", "questionnaire", {"occupation": "教师", BOX_PUSH: not_a_tick})
    assert of_kind(engine, EventKind.GIVEN) == []
    assert engine.profiles.read("u1", PUSH) == {}


def test_the_audit_log_records_the_submission_without_the_answers(engine: Engine) -> None:
    to_questionnaire(engine)
    engine.onboarding.submit("u1", "questionnaire", {"occupation": "独特的职业答案", "learning-goal": "x"})
    engine.auditlog.flush()
    records = [r for r in engine.auditlog.records(limit=10_000) if r.kind.startswith("onboarding.")]
    last = records[-1].payload
    assert last["screen"] == "questionnaire" and last["answered"] == []
    assert last["not_kept"] == ["occupation", "learning-goal"]
    assert BOX_PUSH in last["refused"]
    assert "独特的职业答案" not in repr([r.payload for r in engine.auditlog.records(limit=10_000)])
    assert engine.auditlog.verify().ok


def test_required_is_decided_by_the_law_not_by_the_manifest_flag(database_url: str, tmp_path: Path) -> None:
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    for screen in document["onboarding"]:
        for field in screen["fields"]:
            field["required"] = not field["required"]  # every flag wrong
    with engine_over(Manifest.model_validate(document), database_url, tmp_path) as engine:
        engine.onboarding.submit("u1", "welcome", {})
        login = engine.onboarding.next_screen("u1")
        assert [(f.data_id, f.required) for f in login.fields] == [
            ("phone", True),
            ("account-password", True),
        ]
        assert login.actions == ("submit",)
        questionnaire = engine.onboarding.submit("u1", "login", LOGIN)
        assert not any(f.required for f in questionnaire.fields)
        assert {"submit", "skip", "refuse"} <= set(questionnaire.actions)


def test_missing_necessary_data_is_a_bilingual_typed_error_and_writes_nothing(engine: Engine) -> None:
    engine.onboarding.submit("u1", "welcome", {})
    with pytest.raises(RequiredFieldMissing) as missing:
        engine.onboarding.submit("u1", "login", {"account-password": "pw"})
    assert "phone" in missing.value.text.en and "phone" in missing.value.text.zh
    assert "必需" in missing.value.text.zh
    with pytest.raises(RequiredFieldMissing):
        engine.onboarding.skip("u1", "login")
    assert engine.profiles.attributes("u1") == []
    assert engine.onboarding.next_screen("u1").screen_id == "login"


def test_unknown_screen_field_and_joint_box_are_typed_errors(engine: Engine) -> None:
    with pytest.raises(UnknownScreen) as screen:
        engine.onboarding.submit("u1", "questionaire", {})
    assert "questionnaire" in screen.value.text.en
    with pytest.raises(UnknownDataItem):
        engine.onboarding.submit("u1", "questionnaire", {"english-name": "Luo"})
    with pytest.raises(UnknownDataItem):  # the old joint box is no question: one tick, one recipient
        engine.onboarding.submit("u1", "marketing-opt-in", {f"consent:{SHARE}": True})
    with pytest.raises(UnknownDataItem):
        engine.onboarding.reopen("u1", "orders")  # never asked, so nothing to reopen
    assert engine.consent.events() == []


def test_no_consent_without_a_published_notice(database_url: str, tmp_path: Path) -> None:
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    document["notices"][0]["shown"] = "on-request"  # never published as a before-collection notice
    with engine_over(Manifest.model_validate(document), database_url, tmp_path) as engine:
        to_questionnaire(engine)
        assert engine.onboarding.next_screen("u1").notice is None
        with pytest.raises(UnknownNotice):
            engine.onboarding.submit("u1", "questionnaire", {"occupation": "教师", BOX_PUSH: True})
        assert engine.consent.events("u1") == []
        assert "occupation" not in {a.data_id for a in engine.profiles.attributes("u1")}
        # Declining needs no notice: the person can always go on.
        assert engine.onboarding.skip("u1", "questionnaire").screen_id == "marketing-opt-in"


def test_consent_boxes_ask_sharing_separately_for_each_recipient(engine: Engine) -> None:
    to_questionnaire(engine)
    opt_in = engine.onboarding.skip("u1", "questionnaire")
    boxes = {b.box_id: b for b in opt_in.consent_boxes}
    assert set(boxes) == {"consent:marketing-sms", BOX_A, BOX_B}
    # One box, one purpose, one recipient: a box naming two recipients would fail here.
    assert all(len(b.purposes) == 1 and len(b.recipients) <= 1 for b in boxes.values())
    assert (boxes[BOX_A].recipient, boxes[BOX_B].recipient) == (APP_A, APP_B)
    assert not any(b.pre_ticked for b in boxes.values())

    for field, value in [("phone", "13800000000"), ("orders", [{"order": "o-1"}])]:
        engine.profiles.set("u1", field, value, purposes=["online-courses"], consent_event_id=None)
    assert engine.onboarding.submit("u1", "marketing-opt-in", {BOX_A: True}).is_home

    # The one tick wrote exactly one consent, naming exactly one recipient.
    given = [(e.purpose, e.recipient, e.mechanism) for e in of_kind(engine, EventKind.GIVEN)]
    assert given == [(SHARE, APP_A, Mechanism.SEPARATE)]
    refused = {(e.purpose, e.recipient) for e in of_kind(engine, EventKind.REFUSED)}
    assert refused == {(PUSH, None), ("marketing-sms", None), (SHARE, APP_B)}
    assert engine.gate.decide("u1", SHARE, ["phone"], APP_A).allowed
    assert not engine.gate.decide("u1", SHARE, ["phone"], APP_B).allowed
    to_a = engine.sharing.transfer("u1", SHARE, APP_A, ["phone", "orders"])
    to_b = engine.sharing.transfer("u1", SHARE, APP_B, ["phone", "orders"])
    assert (to_a.status, to_b.status) == (TransferStatus.DELIVERED, TransferStatus.REFUSED)


def test_refusing_again_after_reopening_records_no_duplicate_refusal(engine: Engine) -> None:
    to_questionnaire(engine)
    engine.onboarding.skip("u1", "questionnaire")
    engine.onboarding.skip("u1", "marketing-opt-in")
    before = len(engine.consent.events("u1"))
    reopened = engine.onboarding.reopen("u1", "learning-goal")
    assert reopened.screen_id == "questionnaire"
    assert [b.box_id for b in reopened.consent_boxes] == [BOX_PUSH]  # the only way to have it kept
    assert engine.onboarding.skip("u1", "questionnaire").is_home
    assert len(engine.consent.events("u1")) == before
    engine.auditlog.flush()
    kinds = [r.kind for r in engine.auditlog.records(limit=10_000)]
    assert kinds.count("onboarding.reopen") == 1


def test_declining_a_later_question_keeps_an_earlier_consent(engine: Engine) -> None:
    to_questionnaire(engine)
    engine.onboarding.submit("u1", "questionnaire", {"occupation": "教师", BOX_PUSH: True})
    engine.onboarding.skip("u1", "marketing-opt-in")
    engine.onboarding.reopen("u1", "school-stage")
    engine.onboarding.skip("u1", "questionnaire")
    assert all(e.purpose != PUSH for e in of_kind(engine, EventKind.REFUSED))
    assert engine.profiles.read("u1", PUSH) == {"occupation": "教师"}


def test_a_later_answer_under_a_live_consent_is_kept_without_a_new_tick(engine: Engine) -> None:
    to_questionnaire(engine)
    engine.onboarding.submit("u1", "questionnaire", {"occupation": "教师", BOX_PUSH: True})
    engine.onboarding.skip("u1", "marketing-opt-in")
    reopened = engine.onboarding.reopen("u1", "school-stage")
    assert reopened.consent_boxes == () and reopened.fields[0].kept_only_with == ()
    assert engine.onboarding.submit("u1", "questionnaire", {"school-stage": "大学"}).is_home
    [given] = of_kind(engine, EventKind.GIVEN)  # no new event: the earlier tick covers it
    stored = {a.data_id: a for a in engine.profiles.attributes("u1")}
    assert stored["school-stage"].consent_event_id == given.event_id
    assert engine.profiles.read("u1", PUSH) == {"occupation": "教师", "school-stage": "大学"}


def test_after_a_withdrawal_a_reopened_question_comes_with_its_box_again(engine: Engine) -> None:
    to_questionnaire(engine)
    engine.onboarding.submit("u1", "questionnaire", {"occupation": "教师", BOX_PUSH: True})
    engine.onboarding.skip("u1", "marketing-opt-in")
    engine.consent.withdraw("u1", PUSH)
    reopened = engine.onboarding.reopen("u1", "learning-goal")
    assert [b.box_id for b in reopened.consent_boxes] == [BOX_PUSH]
    engine.onboarding.submit("u1", "questionnaire", {"learning-goal": "考试"})
    assert "learning-goal" not in {a.data_id for a in engine.profiles.attributes("u1")}


def test_subjects_progress_independently(engine: Engine) -> None:
    to_questionnaire(engine, "a")
    assert engine.onboarding.next_screen("b").screen_id == "welcome"
    assert engine.onboarding.next_screen("a").screen_id == "questionnaire"
