"""Onboarding over the fixed manifest: consent on the notice shown, refusals, boxes, typed errors."""

from __future__ import annotations

import pytest

from consentgate.manifest.models import Manifest
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism
from consentgate.runtime.errors import UnknownDataItem, UnknownNotice
from consentgate.runtime.onboarding.errors import RequiredFieldMissing, UnknownScreen
from consentgate.store.database import Database
from tests.runtime.onboarding.harness import Flow, build_flow
from tests.runtime.profiles.fakes import fixed_manifest

PUSH = "personalized-push"


def to_questionnaire(flow: Flow, subject: str = "u1") -> None:
    assert flow.onboarding.next_screen(subject).screen_id == "welcome"
    assert flow.onboarding.submit(subject, "welcome", {}).screen_id == "login"
    view = flow.onboarding.submit(subject, "login", {"phone": "13800000000", "account-password": "pw"})
    assert view.screen_id == "questionnaire"


def test_an_answered_optional_field_rests_on_a_consent_given_on_the_notice_shown(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow)
    evidence = Evidence(user_agent="test-agent", ip_hash="abc")
    after = flow.onboarding.submit(
        "u1", "questionnaire", {"occupation": "教师", "english-level": ""}, evidence=evidence
    )
    assert after.screen_id == "marketing-opt-in"

    given = flow.ledger.of_kind(EventKind.GIVEN)
    assert len(given) == 1
    event = given[0]
    assert (event.purpose, event.data, event.mechanism) == (
        PUSH,
        ("occupation", "profile-tags"),
        Mechanism.IN_FLOW,
    )
    assert (event.notice_id, event.notice_version) == ("privacy-policy", "2024-01")
    assert event.evidence == Evidence(
        screen_id="questionnaire", locale="zh", user_agent="test-agent", ip_hash="abc"
    )
    # The other questions were declined, but declining must not undo the consent just given.
    assert flow.ledger.of_kind(EventKind.REFUSED) == []
    stored = {a.data_id: a for a in flow.profiles.attributes("u1")}
    assert stored["occupation"].consent_event_id == event.event_id
    assert "english-level" not in stored  # an empty answer is "don't collect"
    assert flow.profiles.read("u1", PUSH) == {"occupation": "教师"}


def test_the_audit_log_records_the_submission_without_the_answers(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow)
    flow.onboarding.submit("u1", "questionnaire", {"occupation": "独特的职业答案"})
    kinds = [kind for kind, _ in flow.audit.changes]
    assert kinds.count("onboarding.submit") == 3 and "profile.set" in kinds
    last = flow.audit.changes[-1][1]
    assert last["screen"] == "questionnaire" and last["answered"] == ["occupation"]
    assert "english-level" in last["refused"]
    assert "独特的职业答案" not in repr(flow.audit.changes)


def test_required_is_decided_by_the_law_not_by_the_manifest_flag(database: Database) -> None:
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    for screen in document["onboarding"]:
        for field in screen["fields"]:
            field["required"] = not field["required"]  # every flag wrong
    flow = build_flow(database, Manifest.model_validate(document))
    flow.onboarding.submit("u1", "welcome", {})
    login = flow.onboarding.next_screen("u1")
    assert [(f.data_id, f.required) for f in login.fields] == [("phone", True), ("account-password", True)]
    assert login.actions == ("submit",)
    questionnaire = flow.onboarding.submit("u1", "login", {"phone": "1", "account-password": "pw"})
    assert not any(f.required for f in questionnaire.fields)
    assert {"submit", "skip", "refuse"} <= set(questionnaire.actions)


def test_missing_necessary_data_is_a_bilingual_typed_error_and_writes_nothing(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    flow.onboarding.submit("u1", "welcome", {})
    with pytest.raises(RequiredFieldMissing) as missing:
        flow.onboarding.submit("u1", "login", {"account-password": "pw"})
    assert "phone" in missing.value.text.en and "phone" in missing.value.text.zh
    assert "必需" in missing.value.text.zh
    with pytest.raises(RequiredFieldMissing):
        flow.onboarding.skip("u1", "login")
    assert flow.profiles.attributes("u1") == []
    assert flow.onboarding.next_screen("u1").screen_id == "login"


def test_unknown_screen_and_unknown_field_are_typed_errors(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    with pytest.raises(UnknownScreen) as screen:
        flow.onboarding.submit("u1", "questionaire", {})
    assert "questionnaire" in screen.value.text.en
    with pytest.raises(UnknownDataItem):
        flow.onboarding.submit("u1", "questionnaire", {"english-name": "Luo"})
    with pytest.raises(UnknownDataItem):
        flow.onboarding.reopen("u1", "orders")  # never asked, so nothing to reopen
    assert flow.ledger.events == []


def test_no_consent_without_a_published_notice(database: Database) -> None:
    flow = build_flow(database, fixed_manifest(), notices={})
    to_questionnaire(flow)
    assert flow.onboarding.next_screen("u1").notice is None
    with pytest.raises(UnknownNotice):
        flow.onboarding.submit("u1", "questionnaire", {"occupation": "教师"})
    assert flow.ledger.events == []
    assert "occupation" not in {a.data_id for a in flow.profiles.attributes("u1")}
    # Declining needs no notice: the person can always go on.
    assert flow.onboarding.skip("u1", "questionnaire").screen_id == "marketing-opt-in"


def test_consent_boxes_ask_sharing_separately_for_each_recipient(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow)
    opt_in = flow.onboarding.skip("u1", "questionnaire")
    boxes = {b.box_id: b for b in opt_in.consent_boxes}
    assert set(boxes) == {"consent:marketing-sms", "consent:share-affiliates"}
    assert boxes["consent:share-affiliates"].recipients == ("affiliate-app-a", "affiliate-app-b")
    assert not any(b.pre_ticked for b in boxes.values())

    home = flow.onboarding.submit("u1", "marketing-opt-in", {"consent:marketing-sms": True})
    assert home.is_home
    given = [(e.purpose, e.recipient, e.mechanism) for e in flow.ledger.of_kind(EventKind.GIVEN)]
    assert given == [("marketing-sms", None, Mechanism.IN_FLOW)]
    refused = {(e.purpose, e.recipient, e.mechanism) for e in flow.ledger.of_kind(EventKind.REFUSED)}
    assert refused == {
        (PUSH, None, Mechanism.IN_FLOW),
        ("share-affiliates", "affiliate-app-a", Mechanism.SEPARATE),
        ("share-affiliates", "affiliate-app-b", Mechanism.SEPARATE),
    }


def test_refusing_again_after_reopening_records_no_duplicate_refusal(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow)
    flow.onboarding.skip("u1", "questionnaire")
    flow.onboarding.skip("u1", "marketing-opt-in")
    before = len(flow.ledger.events)
    assert flow.onboarding.reopen("u1", "learning-goal").screen_id == "questionnaire"
    assert flow.onboarding.skip("u1", "questionnaire").is_home
    assert len(flow.ledger.events) == before
    assert [kind for kind, _ in flow.audit.changes].count("onboarding.reopen") == 1


def test_a_later_skip_does_not_withdraw_an_earlier_consent(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow)
    flow.onboarding.submit("u1", "questionnaire", {"occupation": "教师"})
    flow.onboarding.skip("u1", "marketing-opt-in")
    flow.onboarding.reopen("u1", "school-stage")
    flow.onboarding.skip("u1", "questionnaire")
    assert all(e.purpose != PUSH for e in flow.ledger.of_kind(EventKind.REFUSED))
    assert flow.profiles.read("u1", PUSH) == {"occupation": "教师"}


def test_subjects_progress_independently(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow, "a")
    assert flow.onboarding.next_screen("b").screen_id == "welcome"
    assert flow.onboarding.next_screen("a").screen_id == "questionnaire"


def test_a_later_answer_widens_a_live_consent_and_never_narrows_it(database: Database) -> None:
    flow = build_flow(database, fixed_manifest())
    to_questionnaire(flow)
    flow.onboarding.submit("u1", "questionnaire", {"occupation": "教师"})
    flow.onboarding.skip("u1", "marketing-opt-in")
    flow.onboarding.reopen("u1", "school-stage")
    assert flow.onboarding.submit("u1", "questionnaire", {"school-stage": "大学"}).is_home
    last = flow.ledger.of_kind(EventKind.GIVEN)[-1]
    assert set(last.data) == {"occupation", "school-stage", "profile-tags"}
    assert flow.profiles.read("u1", PUSH) == {"occupation": "教师", "school-stage": "大学"}
