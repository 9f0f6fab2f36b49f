"""The pure next-screen logic, without a database."""

from __future__ import annotations

from consentgate.manifest.models import ScreenAction
from consentgate.runtime.onboarding import flow
from consentgate.runtime.onboarding.flow import Progress, QuestionStatus
from consentgate.runtime.policy import compile_policy
from tests.runtime.onboarding.harness import seed_manifest
from tests.runtime.profiles.fakes import fixed_manifest


def plans_of_fixed() -> dict[str, flow.ScreenPlan]:
    manifest = fixed_manifest()
    return {p.screen_id: p for p in flow.compile_screens(manifest, compile_policy(manifest))}


def test_a_screen_without_purposes_takes_them_from_the_manifest_and_finds_its_notice() -> None:
    manifest = seed_manifest()
    plans = {p.screen_id: p for p in flow.compile_screens(manifest, compile_policy(manifest))}
    basic_info = plans["basic-info"]
    assert [(f.data_id, f.purposes) for f in basic_info.fields] == [
        ("chinese-name", ("certificates",)),
        ("english-name", ("certificates",)),
    ]
    assert basic_info.notice_id == "privacy-policy"  # as-found names none; the covering notice is used
    login = plans["login"]
    assert all(f.required and f.asks == () for f in login.fields)  # necessary data asks no consent


def test_a_screen_that_asks_nothing_is_done_once_passed() -> None:
    welcome = plans_of_fixed()["welcome"]
    assert not flow.is_done(welcome, Progress())
    assert flow.is_done(welcome, Progress(passed=frozenset({"welcome"})))


def test_a_screen_is_done_when_every_question_is_closed_and_open_again_when_one_reopens() -> None:
    questionnaire = plans_of_fixed()["questionnaire"]
    closed = {q: QuestionStatus.REFUSED for q in questionnaire.questions}
    assert flow.is_done(questionnaire, Progress(closed=closed))
    del closed["english-level"]
    progress = Progress(closed=closed, passed=frozenset({"questionnaire"}))
    assert not flow.is_done(questionnaire, progress)
    assert [f.data_id for f in flow.open_fields(questionnaire, progress)] == ["english-level"]


def test_next_plan_walks_the_screens_in_order_and_ends_at_home() -> None:
    plans = plans_of_fixed()
    everything = {q: QuestionStatus.ANSWERED for p in plans.values() for q in p.questions}
    nothing_left = Progress(closed=everything, passed=frozenset(plans))
    assert flow.next_plan(plans.values(), nothing_left) is None
    assert flow.view(None, nothing_left, None).is_home
    assert flow.next_plan(plans.values(), Progress(closed=everything)) == plans["welcome"]


def test_the_view_keeps_the_manifests_buttons_and_adds_skip_and_refuse_for_optional_questions() -> None:
    plans = plans_of_fixed()
    welcome = flow.view(plans["welcome"], Progress(), None)
    assert welcome.actions == (ScreenAction.AGREE, ScreenAction.EXIT, ScreenAction.SUBMIT)
    opt_in = flow.view(plans["marketing-opt-in"], Progress(), None)
    assert {ScreenAction.SKIP, ScreenAction.REFUSE} <= set(opt_in.actions)


def test_empty_answers_mean_dont_collect() -> None:
    assert not flow.given(None)
    assert not flow.given("  ")
    assert flow.given(0)
    assert flow.given(False)
