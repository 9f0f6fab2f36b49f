"""The pure next-screen logic, without a database: boxes split per purpose and recipient, browse offered."""

from __future__ import annotations

from consentgate.manifest.models import Manifest, ScreenAction
from consentgate.runtime.onboarding import flow
from consentgate.runtime.onboarding.flow import Progress, QuestionStatus
from consentgate.runtime.policy import compile_policy
from tests.runtime.onboarding.conftest import APP_A, APP_B, PUSH, SHARE, fixed_manifest, seed_manifest


def plans_of(manifest: Manifest) -> dict[str, flow.ScreenPlan]:
    return {p.screen_id: p for p in flow.compile_screens(manifest, compile_policy(manifest))}


def bundled() -> Manifest:
    """fixed.yaml with its opt-in screen asking everything in one box: the runtime must still split it."""
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    opt_in = next(s for s in document["onboarding"] if s["id"] == "marketing-opt-in")
    opt_in["consent_boxes"] = [{"purposes": ["marketing-sms", SHARE], "recipients": []}]
    return Manifest.model_validate(document)


def test_a_screen_without_purposes_takes_them_from_the_manifest_and_finds_its_notice() -> None:
    plans = plans_of(seed_manifest())
    basic_info = plans["basic-info"]
    assert [(f.data_id, f.purposes) for f in basic_info.fields] == [
        ("chinese-name", ("certificates",)),
        ("english-name", ("certificates",)),
    ]
    assert basic_info.notice_id == "privacy-policy"  # as-found names none; the covering notice is used
    login = plans["login"]
    assert all(f.required and f.asks == () for f in login.fields)  # necessary data asks no consent


def test_a_screen_whose_fields_need_consent_but_has_no_box_gets_one() -> None:
    questionnaire = plans_of(seed_manifest())["questionnaire"]  # as-found: four fields, no box at all
    assert [(b.box_id, b.purpose, b.recipient) for b in questionnaire.boxes] == [
        ("consent:personalized-push", PUSH, None)
    ]


def test_every_box_covers_one_purpose_and_one_recipient_even_when_the_manifest_bundles_them() -> None:
    for manifest in (fixed_manifest(), bundled()):
        opt_in = plans_of(manifest)["marketing-opt-in"]
        keys = [(b.purpose, b.recipient) for b in opt_in.boxes]
        assert sorted(keys, key=str) == sorted(
            [("marketing-sms", None), (SHARE, APP_A), (SHARE, APP_B)], key=str
        )
        ids = [b.box_id for b in opt_in.boxes]
        assert len(set(ids)) == len(ids)  # stable and unique: named by what they cover
        assert set(ids) == {"consent:marketing-sms", f"consent:{SHARE}:{APP_A}", f"consent:{SHARE}:{APP_B}"}


def test_a_box_naming_one_recipient_covers_only_that_recipient() -> None:
    opt_in = plans_of(fixed_manifest())["marketing-opt-in"]
    sharing = [b for b in opt_in.boxes if b.purpose == SHARE]
    assert [b.recipient for b in sharing] == [APP_A, APP_B]
    assert all(b.data == ("orders", "phone") for b in sharing)


def test_a_screen_that_asks_nothing_is_done_once_passed() -> None:
    welcome = plans_of(fixed_manifest())["welcome"]
    assert not flow.is_done(welcome, Progress())
    assert flow.is_done(welcome, Progress(passed=frozenset({"welcome"})))


def test_a_screen_is_done_when_every_question_is_closed_and_open_again_when_one_reopens() -> None:
    questionnaire = plans_of(fixed_manifest())["questionnaire"]
    closed = {q: QuestionStatus.REFUSED for q in questionnaire.questions}
    assert flow.is_done(questionnaire, Progress(closed=closed))
    del closed["english-level"]
    progress = Progress(closed=closed, passed=frozenset({"questionnaire"}))
    assert not flow.is_done(questionnaire, progress)
    assert [f.data_id for f in flow.open_fields(questionnaire, progress)] == ["english-level"]
    # Its answer could not be kept without the box, so the box comes back with it.
    shown = flow.view(questionnaire, progress, None)
    assert [b.box_id for b in shown.consent_boxes] == ["consent:personalized-push"]
    assert shown.fields[0].kept_only_with == ("consent:personalized-push",)
    # With the consent live, the field is asked alone and an answer is kept as typed.
    alone = flow.view(questionnaire, progress, None, lambda purpose, _r, _d: purpose == PUSH)
    assert alone.consent_boxes == () and alone.fields[0].kept_only_with == ()


def test_next_plan_walks_the_screens_in_order_and_ends_at_home() -> None:
    plans = plans_of(fixed_manifest())
    everything = {q: QuestionStatus.ANSWERED for p in plans.values() for q in p.questions}
    nothing_left = Progress(closed=everything, passed=frozenset(plans))
    assert flow.next_plan(plans.values(), nothing_left) is None
    assert flow.view(None, nothing_left, None).is_home
    assert flow.next_plan(plans.values(), Progress(closed=everything)) == plans["welcome"]


def test_the_notice_screen_always_offers_browse_and_optional_questions_skip_and_refuse() -> None:
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    document["onboarding"][0]["actions"] = ["agree", "exit"]  # agree-or-leave, as apps used to ship
    plans = plans_of(Manifest.model_validate(document))
    welcome = flow.view(plans["welcome"], Progress(), None)
    assert welcome.actions == (ScreenAction.AGREE, ScreenAction.EXIT, ScreenAction.BROWSE)
    opt_in = flow.view(plans["marketing-opt-in"], Progress(), None)
    assert {ScreenAction.SKIP, ScreenAction.REFUSE} <= set(opt_in.actions)
    assert ScreenAction.BROWSE not in opt_in.actions  # browse-only is the alternative to the notice


def test_the_notice_is_shown_once_later_screens_only_link_to_it() -> None:
    plans = plans_of(fixed_manifest())
    ordered = list(plans.values())
    assert not flow.notice_seen(ordered, plans["welcome"], Progress())
    passed = Progress(passed=frozenset({"welcome"}))
    assert flow.notice_seen(ordered, plans["login"], passed)


def test_empty_answers_mean_dont_collect() -> None:
    assert not flow.given(None)
    assert not flow.given("  ")
    assert flow.given(0)
    assert flow.given(False)
