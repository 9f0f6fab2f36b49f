"""Issue 13, item 5: each new fact parses to its value, to None when unstated or `unknown`, and a wrong
value is an error at its place in the file."""

from __future__ import annotations

import jsonschema
import pytest

from consentgate.errors import ManifestErrors
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import (
    Audience,
    ConsentForm,
    DataItem,
    Manifest,
    Prominence,
)
from consentgate.manifest.schema import manifest_schema

HEAD = "app: {name: demo, type: online-community}\n"


def _manifest(body: str) -> Manifest:
    return parse_manifest(HEAD + body).manifest


def _errors(body: str) -> str:
    with pytest.raises(ManifestErrors) as caught:
        parse_manifest(HEAD + body, "app.yaml")
    return "\n".join(e.text.en for e in caught.value.errors)


def _item(extra: str) -> DataItem:
    return _manifest(f"data:\n  - {{id: nick, category: profile.nickname{extra}}}\n").data[0]


# ---------------------------------------------------------------- identifiable / deidentified


@pytest.mark.parametrize(
    ("written", "identifiable", "personal"),
    [
        ("", None, True),
        (", identifiable: unknown", None, True),
        (", identifiable: true", True, True),
        (", identifiable: false", False, False),
    ],
    ids=["omitted", "unknown", "true", "false"],
)
def test_identifiable_is_a_tri_state_and_only_false_is_not_personal(
    written: str, identifiable: bool | None, personal: bool
) -> None:
    item = _item(written)
    assert item.identifiable is identifiable
    assert item.is_personal is personal


def test_deidentified_data_is_still_personal_information() -> None:
    item = _item(", deidentified: true")
    assert item.deidentified is True
    assert item.identifiable is None
    assert item.is_personal


def test_deidentified_is_unknown_until_stated() -> None:
    assert _item("").deidentified is None
    assert _item(", deidentified: unknown").deidentified is None


def test_personal_data_leaves_out_only_anonymised_items() -> None:
    manifest = _manifest(
        "data:\n"
        "  - {id: nick, category: profile.nickname}\n"
        "  - {id: hashed-id, category: device.identifiers, deidentified: true}\n"
        "  - {id: daily-counts, category: behavior.usage, identifiable: false}\n"
    )
    assert [d.id for d in manifest.personal_data] == ["nick", "hashed-id"]


def test_identifiable_must_be_a_yes_or_no() -> None:
    assert "identifiable" in _errors(
        "data:\n  - {id: nick, category: profile.nickname, identifiable: maybe}\n"
    )


# ---------------------------------------------------------------- disclosure

_PURPOSE = (
    "data:\n  - {id: nick, category: profile.nickname}\n  - {id: phone, category: contact.phone}\n"
    "purposes:\n  - id: profile\n    kind: add-on\n    basis: consent\n    data: [nick, phone]\n"
)


def test_disclosure_states_audience_default_and_data() -> None:
    manifest = _manifest(
        _PURPOSE + "    disclosure: {audience: public, default_visible: true, data: [nick]}\n"
    )
    purpose = manifest.purposes[0]
    assert purpose.disclosure is not None
    assert purpose.disclosure.audience is Audience.PUBLIC
    assert purpose.disclosure.default_visible is True
    assert purpose.disclosed_data == ["nick"]


def test_a_disclosure_without_data_shows_all_of_the_purposes_data() -> None:
    purpose = _manifest(_PURPOSE + "    disclosure: {audience: other-users}\n").purposes[0]
    assert purpose.disclosure is not None
    assert purpose.disclosure.audience is Audience.OTHER_USERS
    assert purpose.disclosure.default_visible is None
    assert purpose.disclosed_data == ["nick", "phone"]


def test_no_disclosure_shows_nothing() -> None:
    purpose = _manifest(_PURPOSE).purposes[0]
    assert purpose.disclosure is None
    assert purpose.disclosed_data == []


def test_audience_and_default_may_be_unknown() -> None:
    purpose = _manifest(
        _PURPOSE + "    disclosure: {audience: unknown, default_visible: unknown}\n"
    ).purposes[0]
    assert purpose.disclosure is not None
    assert purpose.disclosure.audience is None
    assert purpose.disclosure.default_visible is None


def test_an_unknown_audience_is_refused_with_the_choices() -> None:
    errors = _errors(_PURPOSE + "    disclosure: {audience: everyone}\n")
    assert "everyone" in errors and "other-users" in errors and "public" in errors


def test_disclosed_data_must_exist() -> None:
    errors = _errors(_PURPOSE + "    disclosure: {audience: public, data: [avatar]}\n")
    assert "avatar" in errors


def test_disclosed_data_must_be_processed_by_the_purpose() -> None:
    body = (
        "data:\n  - {id: nick, category: profile.nickname}\n  - {id: avatar, category: profile.avatar}\n"
        "purposes:\n  - id: profile\n    kind: add-on\n    basis: consent\n    data: [nick]\n"
        "    disclosure: {audience: public, data: [avatar]}\n"
    )
    with pytest.raises(ManifestErrors) as caught:
        parse_manifest(HEAD + body, "app.yaml")
    [error] = caught.value.errors
    assert "is shown to others under purpose 'profile', which does not process it" in error.text.en
    assert "数据项“avatar”在处理目的“profile”下向他人展示" in error.text.zh
    assert error.location is not None
    assert (error.location.line, error.location.column) == (10, 43)  # the `avatar` in the list


# ---------------------------------------------------------------- consent.form and price


@pytest.mark.parametrize("form", list(ConsentForm), ids=lambda f: f.value)
def test_each_consent_form_parses(form: ConsentForm) -> None:
    assert _manifest(f"consent: {{form: {form.value}}}\n").consent.form is form


def test_consent_form_and_price_are_unknown_until_stated() -> None:
    consent = _manifest("consent: {form: unknown}\n").consent
    assert consent.form is None
    assert consent.price is None
    assert _manifest("").consent.form is None


def test_consent_or_pay_states_its_price_as_shown() -> None:
    consent = _manifest('consent: {form: consent-or-pay, price: "¥6/月"}\n').consent
    assert consent.form is ConsentForm.CONSENT_OR_PAY
    assert consent.price == "¥6/月"


def test_an_unknown_consent_form_is_refused() -> None:
    errors = _errors("consent: {form: clickwrap}\n")
    assert "clickwrap" in errors and "contract-acceptance" in errors


# ---------------------------------------------------------------- screen refusal

_SCREEN = "onboarding:\n  - id: welcome\n    actions: [agree, refuse]\n"


def test_refusal_states_steps_and_prominence() -> None:
    screen = _manifest(_SCREEN + "    refusal: {steps: 3, accept_steps: 1, prominence: less}\n").onboarding[0]
    assert screen.refusal is not None
    assert (screen.refusal.steps, screen.refusal.accept_steps) == (3, 1)
    assert screen.refusal.prominence is Prominence.LESS


def test_refusal_facts_are_unknown_until_stated() -> None:
    assert _manifest(_SCREEN).onboarding[0].refusal is None
    refusal = (
        _manifest(_SCREEN + "    refusal: {steps: unknown, prominence: unknown}\n").onboarding[0].refusal
    )
    assert refusal is not None
    assert (refusal.steps, refusal.accept_steps, refusal.prominence) == (None, None, None)


@pytest.mark.parametrize(
    ("written", "named"),
    [("{steps: -1}", "steps"), ("{prominence: tiny}", "tiny"), ("{steps: many}", "steps")],
    ids=["negative-steps", "unknown-prominence", "not-a-number"],
)
def test_a_wrong_refusal_fact_is_refused(written: str, named: str) -> None:
    assert named in _errors(_SCREEN + f"    refusal: {written}\n")


# ---------------------------------------------------------------- schema


def test_the_schema_offers_the_new_facts_and_unknown() -> None:
    validator = jsonschema.Draft202012Validator(manifest_schema())
    good = {
        "app": {"name": "demo", "type": "online-community"},
        "data": [
            {"id": "nick", "category": "profile.nickname", "identifiable": "unknown", "deidentified": True}
        ],
        "purposes": [
            {
                "id": "profile",
                "kind": "add-on",
                "data": ["nick"],
                "disclosure": {"audience": "public", "default_visible": "unknown", "data": ["nick"]},
            }
        ],
        "onboarding": [{"id": "welcome", "refusal": {"steps": 1, "accept_steps": 1, "prominence": "equal"}}],
        "consent": {"form": "consent-or-pay", "price": "¥6/月"},
    }
    assert list(validator.iter_errors(good)) == []
    bad = {**good, "consent": {"form": "clickwrap"}}
    assert list(validator.iter_errors(bad))
