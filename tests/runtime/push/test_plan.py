"""Planning: personalized only where the gate allows, batch by batch, resumable, never twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownPurpose
from consentgate.runtime.ports import FakeClock
from consentgate.runtime.push.errors import CampaignConflict, InvalidCampaign, UnknownCampaign
from consentgate.runtime.push.fakes import InMemoryTransport
from consentgate.runtime.push.repository import PushRepository
from consentgate.runtime.push.schemas import DeliveryStatus, PushContent, Variant
from consentgate.runtime.push.service import PushService
from consentgate.text import Text

from .conftest import CAMPAIGN, PEOPLE, make_push, seed_people

EXPECTED_REASON = {
    "given": "consent",
    "given-no-attributes": "consent",
    "refused": "refused",
    "withdrawn": "withdrawn",
    "none": "no-consent",
}


def test_plan_personalizes_exactly_the_subjects_the_gate_allows(engine: Engine, push: PushService) -> None:
    seed_people(engine)
    run = push.plan(CAMPAIGN)

    assert run.complete and run.purpose == "personalized-push"
    deliveries = {d.subject: d for d in push.deliveries(CAMPAIGN.campaign_id)}
    assert sorted(deliveries) == [p.subject for p in PEOPLE]
    for person in PEOPLE:
        delivery = deliveries[person.subject]
        assert delivery.variant is (Variant.PERSONALIZED if person.personalized else Variant.GENERIC), person
        assert delivery.reason == EXPECTED_REASON[person.choice], person
        assert delivery.status is DeliveryStatus.PENDING
        assert (delivery.consent_event_id is not None) == person.personalized
    assert run.personalized == sum(p.personalized for p in PEOPLE)
    assert run.generic == len(PEOPLE) - run.personalized


def test_the_plan_agrees_with_the_gate_service_subject_by_subject(engine: Engine, push: PushService) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN)
    for delivery in push.deliveries(CAMPAIGN.campaign_id):
        decision = engine.gate.decide(delivery.subject, "personalized-push", "english-level")
        assert decision.allowed == (delivery.variant is Variant.PERSONALIZED)
        assert decision.reason_code.value == delivery.reason


def test_a_plan_stopped_after_some_batches_resumes_and_plans_no_one_twice(
    engine: Engine, push: PushService
) -> None:
    seed_people(engine)
    first = push.plan(CAMPAIGN, max_batches=2)  # batch size 3: six subjects planned
    assert not first.complete and first.planned == 6 and first.planned_through == "u06"
    assert len(push.deliveries(CAMPAIGN.campaign_id)) == 6

    resumed = push.plan(CAMPAIGN)
    again = push.plan(CAMPAIGN)  # a finished plan is not planned again

    assert resumed.complete and resumed.planned == len(PEOPLE)
    assert again == resumed
    subjects = [d.subject for d in push.deliveries(CAMPAIGN.campaign_id)]
    assert subjects == sorted({p.subject for p in PEOPLE})


def test_a_crash_inside_a_batch_rolls_that_batch_back_and_the_resume_plans_it(
    engine: Engine, push: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_people(engine)
    real = PushRepository.insert_deliveries
    calls = {"n": 0}

    def crash_on_third_batch(self: PushRepository, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        if calls["n"] == 3:
            raise RuntimeError("process killed")

    monkeypatch.setattr(PushRepository, "insert_deliveries", crash_on_third_batch)
    with pytest.raises(RuntimeError, match="process killed"):
        push.plan(CAMPAIGN)
    assert push.campaign(CAMPAIGN.campaign_id).planned == 6  # batches 1 and 2 only
    assert len(push.deliveries(CAMPAIGN.campaign_id)) == 6

    monkeypatch.setattr(PushRepository, "insert_deliveries", real)
    run = push.plan(CAMPAIGN)
    assert run.complete and run.planned == len(PEOPLE)
    assert [d.subject for d in push.deliveries(CAMPAIGN.campaign_id)] == [p.subject for p in PEOPLE]


def test_a_subject_registered_after_a_paused_plan_is_still_planned(engine: Engine, push: PushService) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN, max_batches=1)
    engine.consent.register_subject("u99")
    run = push.plan(CAMPAIGN)
    assert run.planned == len(PEOPLE) + 1
    assert push.deliveries(CAMPAIGN.campaign_id)[-1].subject == "u99"


def test_plan_only_sees_its_own_tenant(
    engine: Engine, transport: InMemoryTransport, clock: FakeClock, sleeps: list[float]
) -> None:
    seed_people(engine)
    other = make_push(engine, transport, clock, sleeps, tenant="another-app")
    run = other.plan(CAMPAIGN)
    assert run.complete and run.planned == 0
    assert other.deliveries(CAMPAIGN.campaign_id) == []


def test_reusing_a_campaign_id_for_other_content_is_refused(engine: Engine, push: PushService) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN, max_batches=1)
    changed = replace(
        CAMPAIGN, generic=PushContent(title=Text(zh="别的", en="Other"), body=CAMPAIGN.generic.body)
    )
    with pytest.raises(CampaignConflict) as conflict:
        push.plan(changed)
    assert conflict.value.code == "push.campaign_conflict"
    assert "week-12-lessons" in conflict.value.text.zh and "week-12-lessons" in conflict.value.text.en


def test_generic_content_may_not_name_personal_data(push: PushService) -> None:
    leaky = replace(CAMPAIGN, generic=CAMPAIGN.personalized)
    with pytest.raises(InvalidCampaign) as invalid:
        push.plan(leaky)
    assert invalid.value.code == "push.invalid_campaign"
    assert "english-level" in invalid.value.text.en and "个人信息" in invalid.value.text.zh


def test_a_personalized_template_may_only_name_data_of_its_purpose(push: PushService) -> None:
    phone = PushContent(title=Text(zh="{phone}", en="{phone}"), body=CAMPAIGN.personalized.body)
    with pytest.raises(InvalidCampaign) as invalid:
        push.plan(replace(CAMPAIGN, personalized=phone))
    assert "phone" in invalid.value.text.en and "personalized-push" in invalid.value.text.zh


def test_a_broken_template_is_a_typed_error(push: PushService) -> None:
    broken = PushContent(title=Text(zh="{english-level", en="x"), body=CAMPAIGN.personalized.body)
    with pytest.raises(InvalidCampaign):
        push.plan(replace(CAMPAIGN, personalized=broken))


def test_personalized_push_must_rest_on_a_personalization_purpose(push: PushService) -> None:
    with pytest.raises(InvalidCampaign) as invalid:
        push.plan(replace(CAMPAIGN, purpose="marketing-sms"))
    assert "marketing-sms" in invalid.value.text.en
    with pytest.raises(UnknownPurpose) as unknown:
        push.plan(replace(CAMPAIGN, purpose="personalised-push"))
    assert "personalized-push" in unknown.value.text.en  # the "did you mean"


def test_an_unknown_campaign_is_a_bilingual_error_with_a_suggestion(
    engine: Engine, push: PushService
) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN)
    with pytest.raises(UnknownCampaign) as unknown:
        push.send("week-12-lesson")
    assert unknown.value.code == "push.unknown_campaign"
    assert "week-12-lessons" in unknown.value.text.en and "week-12-lessons" in unknown.value.text.zh
    assert unknown.value.text.zh != unknown.value.text.en
    with pytest.raises(UnknownCampaign):
        push.campaign("nothing")


def test_subject_ids_with_separators_survive_the_bulk_insert(engine: Engine, push: PushService) -> None:
    odd = ["tab\there", "back\\slash", "new\nline", "\\N", "引号“中文”"]
    engine.consent.register_subjects(odd)
    push.plan(CAMPAIGN)
    assert sorted(d.subject for d in push.deliveries(CAMPAIGN.campaign_id)) == sorted(odd)
