"""The seed case as a runtime test: as-found's screens, asked lawfully by the real engine.

Refusing every profile question still reaches the home page; typing an answer is no consent; the box
the runtime adds to the questionnaire is the only way to agree.
"""

from __future__ import annotations

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.consent.schemas import EventKind, Mechanism
from consentgate.runtime.engine import Engine
from tests.runtime.onboarding.conftest import PUSH, SEED, of_kind, seed_manifest

QUESTIONNAIRE = ["occupation", "learning-goal", "english-level", "school-stage"]
NAMES = ["chinese-name", "english-name"]
LOGIN = {"phone": "13800000000", "account-password": "secret"}


def test_the_seed_manifest_keeps_as_founds_screens_and_their_required_flags() -> None:
    as_found = load_manifest(SEED / "as-found.yaml").manifest
    manifest = seed_manifest()
    assert manifest.onboarding == as_found.onboarding
    assert all(f.required for screen in manifest.onboarding for f in screen.fields)


def test_new_user_who_skips_every_profile_question_still_reaches_home(seed_engine: Engine) -> None:
    onboarding = seed_engine.onboarding

    login = onboarding.next_screen("luo")
    assert seed_engine.consent.known_subject("luo")  # registered on first sight
    assert login.screen_id == "login"
    # Phone and password are necessary PI of a learning app (NPI art. 19; the account itself).
    assert [(f.data_id, f.required) for f in login.fields] == [("phone", True), ("account-password", True)]

    questionnaire = onboarding.submit("luo", "login", LOGIN)
    assert questionnaire.screen_id == "questionnaire"
    # as-found marks them required; the law does not, so the runtime asks them as optional.
    assert [(f.data_id, f.required) for f in questionnaire.fields] == [(d, False) for d in QUESTIONNAIRE]
    assert all(f.purposes == (PUSH,) for f in questionnaire.fields)
    assert all({"skip", "refuse"} <= set(f.actions) for f in questionnaire.fields)
    assert questionnaire.notice is not None and questionnaire.notice.version == "2024-01"
    assert [b.box_id for b in questionnaire.consent_boxes] == ["consent:personalized-push"]

    basic_info = onboarding.skip("luo", "questionnaire")
    assert basic_info.screen_id == "basic-info"
    assert [(f.data_id, f.required) for f in basic_info.fields] == [(d, False) for d in NAMES]

    # Typing the names without the box beside them keeps nothing.
    home = onboarding.submit("luo", "basic-info", {"chinese-name": "罗某", "english-name": "Luo"})
    assert home.is_home

    assert {a.data_id for a in seed_engine.profiles.attributes("luo")} == {"phone", "account-password"}
    assert of_kind(seed_engine, EventKind.GIVEN) == []
    refusals = of_kind(seed_engine, EventKind.REFUSED, "luo")
    assert {(e.purpose, e.evidence.screen_id) for e in refusals} == {
        (PUSH, "questionnaire"),
        ("certificates", "basic-info"),
    }
    assert set(next(e for e in refusals if e.purpose == "certificates").data) == set(NAMES)

    # Not asked again.
    assert onboarding.next_screen("luo").is_home

    # Reopened from settings, one question comes back — with the box that alone can keep it.
    reopened = onboarding.reopen("luo", "occupation")
    assert reopened.screen_id == "questionnaire"
    assert [f.data_id for f in reopened.fields] == ["occupation"]
    assert reopened.fields[0].kept_only_with == ("consent:personalized-push",)

    values = {"occupation": "教师", "consent:personalized-push": True}
    assert onboarding.submit("luo", "questionnaire", values, locale="en").is_home
    given = of_kind(seed_engine, EventKind.GIVEN, "luo")
    assert [(e.purpose, e.mechanism, e.notice_version) for e in given] == [
        (PUSH, Mechanism.IN_FLOW, "2024-01")
    ]
    assert (given[0].evidence.screen_id, given[0].evidence.locale) == ("questionnaire", "en")
    assert seed_engine.profiles.read("luo", PUSH) == {"occupation": "教师"}
    stored = {a.data_id: a for a in seed_engine.profiles.attributes("luo")}
    assert stored["occupation"].consent_event_id == given[0].event_id
    assert stored["phone"].consent_event_id is None

    seed_engine.auditlog.flush()
    report = seed_engine.auditlog.verify()
    assert report.ok, report.problem
    records = seed_engine.auditlog.records(limit=10_000)
    assert {"profile.set", "onboarding.submit", "onboarding.skip", "onboarding.reopen"} <= {
        r.kind for r in records
    }
    assert not any(
        "13800000000" in repr(r.payload) or "教师" in repr(r.payload) for r in records if r.kind != "decision"
    )


def test_withdrawal_hides_the_answers_and_their_derived_tags_at_once(seed_engine: Engine) -> None:
    onboarding = seed_engine.onboarding
    onboarding.next_screen("luo")
    onboarding.submit("luo", "login", LOGIN)
    values = {"occupation": "教师", "learning-goal": "考试", "consent:personalized-push": True}
    onboarding.submit("luo", "questionnaire", values)
    held = {a.data_id: a for a in seed_engine.profiles.attributes("luo")}
    seed_engine.profiles.derive(
        "luo",
        "profile-tags",
        ["teacher", "exam"],
        derived_from=[held["occupation"].attribute_id, held["learning-goal"].attribute_id],
        purposes=[PUSH],
    )
    assert set(seed_engine.profiles.read("luo", PUSH)) == {"occupation", "learning-goal", "profile-tags"}

    seed_engine.consent.withdraw("luo", PUSH)

    assert seed_engine.profiles.read("luo", PUSH) == {}
    assert seed_engine.profiles.read("luo", "online-courses") == LOGIN
