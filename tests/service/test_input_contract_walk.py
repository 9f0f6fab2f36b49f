"""Every endpoint the OpenAPI document lists, with a NUL in each of its string inputs in turn (every body
field, nested ones and free-form keys included, every path and query parameter): a 422 each time,
never a 5xx. And the safety net behind the contract: a value the database itself refuses is a 422."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from consentgate.runtime.apikeys.schemas import Scope
from tests.service.conftest import Served

NUL = "a\x00b"
PERSON = "u-1001"
Slot = tuple[str | int, ...]  # where in a body a string goes: keys and list indices


@dataclass(frozen=True)
class Poisoned:
    operation: tuple[str, str]  # method and path template, as the document lists it
    method: str
    path: str  # the URL path, parameters filled in
    query: dict[str, str]
    body: Any  # None when the operation takes none
    where: str  # what holds the NUL, for the failure message


class Schemas:
    """Walks the OpenAPI document's JSON schemas: a minimal instance, and every place a string goes."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._components: dict[str, Any] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self._components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def minimal(self, schema: dict[str, Any]) -> Any:
        schema = self.resolve(schema)
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [b for b in schema[key] if self.resolve(b).get("type") != "null"] or schema[key]
                return self.minimal(branches[0])
        kind = schema.get("type")
        if kind == "object":
            return {name: self.minimal(schema["properties"][name]) for name in schema.get("required", [])}
        if kind == "array":
            return [self.minimal(schema["items"])] * schema.get("minItems", 0)
        return {"string": "x", "integer": 1, "number": 1, "boolean": True}.get(str(kind))

    def string_slots(self, schema: dict[str, Any], at: Slot = ()) -> Iterator[Slot]:
        schema = self.resolve(schema)
        if "enum" in schema:
            return
        for key in ("anyOf", "oneOf"):
            if key in schema:
                seen: set[Slot] = set()
                for branch in schema[key]:
                    for slot in self.string_slots(branch, at):
                        if slot not in seen:
                            seen.add(slot)
                            yield slot
                return
        kind = schema.get("type")
        if kind == "string":
            yield at
        elif kind == "object":
            for name, field in schema.get("properties", {}).items():
                yield from self.string_slots(field, (*at, name))
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) or schema.get("properties") is None:
                yield (*at, "\x00key")  # a free-form key
                yield from self.string_slots(
                    extra if isinstance(extra, dict) else {"type": "string"}, (*at, "k")
                )
        elif kind == "array":
            yield from self.string_slots(schema.get("items", {}), (*at, 0))


def _poison(body: Any, slot: Slot, schemas: Schemas, schema: dict[str, Any]) -> Any:
    """`body` with a NUL string at `slot`, the containers on the way made up where the minimal body had none."""
    if not slot:
        return NUL
    head, rest = slot[0], slot[1:]
    node = schemas.resolve(schema)
    branches = node.get("anyOf") or node.get("oneOf")
    if branches:
        chosen = next(
            (
                b
                for b in branches
                if schemas.resolve(b).get("type") == ("array" if isinstance(head, int) else "object")
            ),
            branches[0],
        )
        return _poison(body, slot, schemas, chosen)
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) and body else [schemas.minimal(node.get("items", {}))]
        items[0] = _poison(items[0], rest, schemas, node.get("items", {}))
        return items
    container = dict(body) if isinstance(body, dict) else {}
    if head == "\x00key":
        container[NUL] = "x"
        return container
    properties = node.get("properties", {})
    field = properties.get(head) or (
        node.get("additionalProperties")
        if isinstance(node.get("additionalProperties"), dict)
        else {"type": "string"}
    )
    container[head] = _poison(container.get(head, schemas.minimal(field)), rest, schemas, field)
    return container


def _operations(document: dict[str, Any]) -> Iterator[Poisoned]:
    schemas = Schemas(document)
    for template, item in document["paths"].items():
        for method, operation in item.items():
            parameters = operation.get("parameters", [])
            path_values = {
                p["name"]: PERSON if p["name"] == "subject" else "x" for p in parameters if p["in"] == "path"
            }
            query = {
                p["name"]: str(schemas.minimal(p["schema"]))
                for p in parameters
                if p["in"] == "query" and p.get("required")
            }
            schema = (
                operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            )
            body = schemas.minimal(schema) if schema else None

            def url(values: dict[str, str], template: str = template) -> str:
                filled = template
                for name, value in values.items():
                    filled = filled.replace("{" + name + "}", quote(value, safe=""))
                return filled

            for name in path_values:
                yield Poisoned(
                    (method, template), method, url(path_values | {name: NUL}), query, body, f"path {name}"
                )
            for parameter in parameters:
                if (
                    parameter["in"] == "query"
                    and schemas.resolve(parameter["schema"]).get("type") != "integer"
                ):
                    yield Poisoned(
                        (method, template),
                        method,
                        url(path_values),
                        query | {parameter["name"]: NUL},
                        body,
                        f"query {parameter['name']}",
                    )
            if schema:
                for slot in schemas.string_slots(schema):
                    poisoned = _poison(body, slot, schemas, schema)
                    yield Poisoned(
                        (method, template), method, url(path_values), query, poisoned, f"body {slot}"
                    )


def test_a_nul_in_any_string_input_of_any_endpoint_is_a_422(served: Served) -> None:
    app: FastAPI = served.client.app  # type: ignore[assignment]
    served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth())
    headers = served.auth("tenant-a", Scope.ADMIN) | {"Accept-Language": "en"}
    cases = list(_operations(app.openapi()))
    answers = {
        (case.method.upper(), case.path, case.where): served.client.request(
            case.method, case.path, params=case.query, json=case.body, headers=headers
        )
        for case in cases
    }
    wrong = {key: (r.status_code, r.text[:200]) for key, r in answers.items() if r.status_code != 422}
    assert not wrong, wrong
    document = app.openapi()
    with_input = {
        (method, template)
        for template, item in document["paths"].items()
        for method, operation in item.items()
        if operation.get("requestBody") or any(p["in"] == "path" for p in operation.get("parameters", []))
    }
    assert with_input <= {case.operation for case in cases}  # no operation taking input was left out
    print(f"{len(cases)} poisoned requests over {len(with_input)} operations taking input: all 422")
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers.values())


def test_a_value_the_database_refuses_is_a_logged_422_not_a_500(
    served: Served, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The contract keeps a NUL from reaching PostgreSQL; this route hands one to it anyway, as a gap in
    # the contract would, to show what the caller then gets.
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite stores a NUL: only PostgreSQL's driver refuses it")
    app: FastAPI = served.client.app  # type: ignore[assignment]

    def unguarded() -> None:
        with app.state.engines.database.transaction() as session:
            session.execute(text("select cast(:value as text)"), {"value": NUL})

    app.add_api_route("/v1/unguarded", unguarded, methods=["POST"])
    with caplog.at_level(logging.WARNING, logger="consentgate.service.problems"):
        response = served.client.post("/v1/unguarded", headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service.invalid_input"
    assert response.json()["message"]["zh"] and "database refused" in response.json()["detail"]
    assert any("refused input" in record.getMessage() for record in caplog.records)
