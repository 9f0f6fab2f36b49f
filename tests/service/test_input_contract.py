"""The input contract on both backends: a NUL, a control character, a lone surrogate, a non-finite
number or an over-long string is a 422 problem naming the field — on SQLite exactly as on PostgreSQL,
where each of them used to be a 500 — and nothing of the request is stored."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from httpx import Response

from consentgate.service.input_contract import ID_MAX, SUBJECT_MAX, TEXT_MAX
from tests.service.conftest import NOTICE_ID, Served

PERSON = "u-1001"
RAW = "@@RAW@@"  # where a request's hostile literal goes in its JSON text


@dataclass(frozen=True)
class Hostile:
    """A value outside the contract, as a JSON literal (for a body) and as text (for a path or query)."""

    name: str
    literal: str  # how it is written into a JSON body
    text: str | None  # the same as a path or query value; None for numbers


TEXTS = [
    Hostile("nul", json.dumps("a\x00b"), "a\x00b"),
    Hostile("bell", json.dumps("a\x07b"), "a\x07b"),
    Hostile("escape", json.dumps("a\x1bb"), "a\x1bb"),
    Hostile("surrogate", '"a\\ud800b"', None),  # no URL can carry one: UTF-8 cannot encode it
]
NUMBERS = [
    Hostile("infinity", "Infinity", None),
    Hostile("minus-infinity", "-Infinity", None),
    Hostile("nan", "NaN", None),
    Hostile("overflow", "1e400", None),
]


def _send(served: Served, method: str, url: str, body: dict[str, Any] | None, literal: str) -> Response:
    content = json.dumps(body).replace(json.dumps(RAW), literal) if body is not None else None
    headers = served.auth() | {"Content-Type": "application/json", "Accept-Language": "en"}
    return served.client.request(method, url, content=content, headers=headers)


def _assert_refused(response: Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "service.invalid_request"
    assert field in problem["message"]["en"] and field in problem["message"]["zh"], problem
    assert problem["detail"] == problem["message"]["en"]  # the caller asked for English


def _register(served: Served) -> None:
    response = served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth())
    assert response.status_code == 204, response.text


def _nothing_held(served: Served) -> None:
    held = served.client.get(f"/v1/subjects/{PERSON}/attributes", headers=served.auth())
    assert held.status_code == 200 and held.json() == [], held.text


# Bodies that reach the database, each with the field the hostile literal goes into.
STRING_BODIES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/v1/subjects", {"subject": RAW}, "subject"),
    (
        "POST",
        f"/v1/subjects/{PERSON}/consents",
        {"purpose": "marketing-sms", "decision": "give", "notice_id": NOTICE_ID, "notice_version": RAW},
        "notice_version",
    ),
    (
        "PUT",
        f"/v1/subjects/{PERSON}/attributes/occupation",
        {"value": RAW, "purposes": ["personalized-push"]},
        "value",
    ),
    (
        "POST",
        "/v1/rights/requests",
        {"subject": PERSON, "kind": "correct", "details": {"note": RAW}},
        "details",
    ),
    ("POST", "/v1/rights/requests", {"subject": PERSON, "kind": "correct", "details": {RAW: "x"}}, "details"),
    ("POST", "/v1/decide", {"subject": PERSON, "purpose": "marketing-sms", "data": [RAW]}, "data"),
    ("PUT", f"/v1/subjects/{PERSON}/addresses/sms", {"address": RAW}, "address"),
]
NUMBER_BODIES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "PUT",
        f"/v1/subjects/{PERSON}/attributes/occupation",
        {"value": RAW, "purposes": ["personalized-push"]},
        "value",
    ),
    ("POST", "/v1/rights/requests", {"subject": PERSON, "kind": "correct", "details": {"n": RAW}}, "details"),
    (
        "POST",
        "/v1/rights/requests",
        {"subject": PERSON, "kind": "correct", "details": {"a": [1, RAW]}},
        "details",
    ),
]


@pytest.mark.parametrize("hostile", TEXTS, ids=lambda h: h.name)
def test_a_refused_character_in_any_text_field_is_a_422_naming_it(served: Served, hostile: Hostile) -> None:
    _register(served)
    for method, url, body, field in STRING_BODIES:
        _assert_refused(_send(served, method, url, body, hostile.literal), field)
    _nothing_held(served)


@pytest.mark.parametrize("hostile", [h for h in TEXTS if h.text is not None], ids=lambda h: h.name)
def test_a_refused_character_in_a_path_or_query_is_a_422_naming_it(served: Served, hostile: Hostile) -> None:
    assert hostile.text is not None
    _register(served)
    value = quote(hostile.text, safe="")
    for url, field in (
        (f"/v1/subjects/{value}/consents", "subject"),
        (f"/v1/subjects/{PERSON}/profile?purpose={value}", "purpose"),
        (f"/v1/rights/requests/{value}", "request_id"),
        (f"/v1/subjects/{PERSON}/consents?{value}=1", "query"),  # a parameter's name is input too
        (f"/v1/marketing/unsubscribe/{value}", "token"),  # keyless: the token goes to the database
    ):
        _assert_refused(served.client.get(url, headers=served.auth() | {"Accept-Language": "en"}), field)


@pytest.mark.parametrize("hostile", NUMBERS, ids=lambda h: h.name)
def test_a_non_finite_number_is_a_422_and_is_not_stored(served: Served, hostile: Hostile) -> None:
    # SQLite used to store Infinity as a profile value and read it back as null.
    _register(served)
    for method, url, body, field in NUMBER_BODIES:
        _assert_refused(_send(served, method, url, body, hostile.literal), field)
    _nothing_held(served)


def test_a_finite_number_is_still_a_value(served: Served) -> None:
    _register(served)
    stored = _send(
        served,
        "PUT",
        f"/v1/subjects/{PERSON}/attributes/occupation",
        {"value": RAW, "purposes": ["personalized-push"]},
        "1e300",
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["value"] == 1e300


def test_an_over_long_string_is_a_422_naming_its_field_and_limit(served: Served) -> None:
    _register(served)
    cases: list[tuple[str, str, dict[str, Any], str, int]] = [
        ("POST", "/v1/subjects", {"subject": "s" * (SUBJECT_MAX + 1)}, "subject", SUBJECT_MAX),
        (
            "POST",
            f"/v1/subjects/{PERSON}/consents",
            {"purpose": "p" * (ID_MAX + 1), "decision": "give", "notice_id": NOTICE_ID},
            "purpose",
            ID_MAX,
        ),
        (
            "PUT",
            f"/v1/subjects/{PERSON}/attributes/occupation",
            {"value": "v" * (TEXT_MAX + 1), "purposes": ["personalized-push"]},
            "value",
            TEXT_MAX,
        ),
        (
            "POST",
            "/v1/rights/requests",
            {"subject": PERSON, "kind": "correct", "details": {"note": "n" * (TEXT_MAX + 1)}},
            "details",
            TEXT_MAX,
        ),
    ]
    for method, url, body, field, limit in cases:
        response = served.client.request(
            method, url, json=body, headers=served.auth() | {"Accept-Language": "en"}
        )
        _assert_refused(response, field)
        assert str(limit) in response.json()["detail"]
    too_long_path = served.client.get(
        f"/v1/subjects/{'s' * (SUBJECT_MAX + 1)}/consents", headers=served.auth()
    )
    assert too_long_path.status_code == 422, too_long_path.text
    _nothing_held(served)


def test_the_refusal_reads_in_chinese_by_default(served: Served) -> None:
    headers = served.auth() | {"Content-Type": "application/json"}
    response = served.client.post("/v1/subjects", content='{"subject": "a\\u0000b"}', headers=headers)
    assert response.status_code == 422
    assert response.headers["content-language"] == "zh"
    assert "U+0000" in response.json()["detail"] and "控制字符" in response.json()["detail"]


def _csrf(served: Served) -> str:
    page = served.client.get("/console/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.mark.parametrize("value", ["a\x00b", "a\x07b"], ids=["nul", "bell"])
def test_a_refused_character_in_a_web_form_is_the_pages_422(served: Served, value: str) -> None:
    response = served.client.post(
        "/console/login",
        data={"csrf_token": _csrf(served), "api_key": value},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "api_key" in response.text and "control characters" in response.text


def test_the_web_forms_refusal_reads_in_chinese_by_default(served: Served) -> None:
    response = served.client.post("/console/login", data={"csrf_token": _csrf(served), "api_key": "a\x00b"})
    assert response.status_code == 422
    assert "控制字符" in response.text
