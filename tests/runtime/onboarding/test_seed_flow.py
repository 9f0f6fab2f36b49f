"""The seed case as a runtime test: refusing every profile question still reaches the home page."""

from __future__ import annotations

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.consent.schemas import EventKind, Mechanism
from consentgate.store.database import Database
from tests.runtime.onboarding.harness import build_flow, seed_manifest
from tests.runtime.profiles.fakes import SEED

QUESTIONNAIRE = ["occupation", "learning-goal", "english-level", "school-stage"]
NAMES = ["chinese-name", "english-name"]


def test_the_seed_manifest_keeps_as_founds_screens_and_their_required_flags() -> None:
    as_found = load_manifest(SEED / "as-found.yaml").manifest
    manifest = seed_manifest()
    assert manifest.onboarding == as_found.onboarding
    assert all(f.required for screen in manifest.onboarding for f in screen.fields)


def test_new_user_who_skips_every_profile_question_still_reaches_home(database: Database) -> None:
    flow = build_flow(database, seed_manifest())
    onboarding, ledger = flow.onboarding, flow.ledger

    login = onboarding.next_screen("luo")
    assert ledger.known_subject("luo")  # registered on first sight
    assert login.screen_id == "login"
    # Phone and password are necessary PI of a learning app (NPI art. 19; the account itself).
    assert [(f.data_id, f.required) for f in login.fields] == [("phone", True), ("account-password", True)]

    questionnaire = onboarding.submit("luo", "login", {"phone": "13800000000", "account-password": "secret"})
    assert questionnaire.screen_id == "questionnaire"
    # as-found marks them required; the law does not, so the runtime asks them as optional.
    assert [(f.data_id, f.required) for f in questionnaire.fields] == [(d, False) for d in QUESTIONNAIRE]
    assert all(f.purposes == ("personalized-push",) for f in questionnaire.fields)
    assert all({"skip", "refuse"} <= set(f.actions) for f in questionnaire.fields)
    assert questionnaire.notice is not None and questionnaire.notice.version == "2024-01"

    basic_info = onboarding.skip("luo", "questionnaire")
    assert basic_info.screen_id == "basic-info"
    assert [(f.data_id, f.required) for f in basic_info.fields] == [(d, False) for d in NAMES]

    home = onboarding.skip("luo", "basic-info")
    assert home.is_home

    # Only the necessary data was stored, and typing the phone implied no consent to anything.
    assert {a.data_id for a in flow.profiles.attributes("luo")} == {"phone", "account-password"}
    assert ledger.of_kind(EventKind.GIVEN) == []
    refusals = ledger.of_kind(EventKind.REFUSED, "luo")
    assert {(e.purpose, e.evidence.screen_id) for e in refusals} == {
        ("personalized-push", "questionnaire"),
        ("certificates", "basic-info"),
    }
    assert set(next(e for e in refusals if e.purpose == "certificates").data) == set(NAMES)

    # Not asked again.
    assert onboarding.next_screen("luo").is_home
    assert onboarding.next_screen("luo").is_home

    # Reopened from settings, one question comes back — alone.
    reopened = onboarding.reopen("luo", "occupation")
    assert reopened.screen_id == "questionnaire"
    assert [f.data_id for f in reopened.fields] == ["occupation"]

    home = onboarding.submit("luo", "questionnaire", {"occupation": "教师"}, locale="en")
    assert home.is_home
    given = ledger.of_kind(EventKind.GIVEN, "luo")
    assert [(e.purpose, e.data, e.mechanism, e.notice_version) for e in given] == [
        # The answer also covers the profile tags the notice says personalized push derives from it.
        ("personalized-push", ("occupation", "profile-tags"), Mechanism.IN_FLOW, "2024-01")
    ]
    assert (given[0].evidence.screen_id, given[0].evidence.locale) == ("questionnaire", "en")
    assert flow.profiles.read("luo", "personalized-push") == {"occupation": "教师"}
    stored = {a.data_id: a for a in flow.profiles.attributes("luo")}
    assert stored["occupation"].consent_event_id == given[0].event_id
    assert stored["phone"].consent_event_id is None
