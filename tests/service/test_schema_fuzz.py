"""schemathesis against /openapi.json, on SQLite and on PostgreSQL: no input the schema allows makes the
service answer 5xx, and every answer (errors included) has the status, content type and shape the schema
documents. PostgreSQL is the stricter store (it refuses a NUL or a non-finite number the driver is
handed), so the run there is the one that shows the input contract holds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.keys import ENV_KEYS
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED, TEST_KEYS, _postgres_database


@dataclass(frozen=True)
class Fuzzed:
    app: FastAPI
    token: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend for the whole run (in CI a missing PostgreSQL fails, as elsewhere)."""
    if request.param == "sqlite":
        store: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        yield f"sqlite:///{store}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="module")
def fuzzed(fuzz_database: str) -> Iterator[Fuzzed]:
    # The key ring for the whole module (the autouse `key_ring` is per test; the app outlives a test).
    saved = os.environ.get(ENV_KEYS)
    os.environ[ENV_KEYS] = ",".join(entry.text() for entry in TEST_KEYS)
    app = create_app(Settings(manifest=SEED_FIXED, database_url=fuzz_database))
    token = app.state.keys.create("fuzz", "schemathesis", [Scope.ADMIN]).token
    app.state.engines.get("fuzz").consent.register_subject("u-1001")  # so some paths reach real data
    yield Fuzzed(app, token)
    app.state.keys.close()
    app.state.engines.close()
    app.state.engines.database.dispose()
    if saved is None:
        os.environ.pop(ENV_KEYS, None)
    else:
        os.environ[ENV_KEYS] = saved


@pytest.fixture(scope="module")
def api_schema(fuzzed: Fuzzed) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_5xx_and_every_answer_matches_the_schema(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    # Two checks judge the server's strictness, not its answers, and are left out:
    # - "schema-valid data must be accepted": which purposes, data items and recipients exist is the
    #   manifest's, not the schema's, so a well-formed request naming an unknown purpose is rightly a
    #   422 problem — whose shape the remaining checks still verify;
    # - "schema-violating data must be rejected": like most HTTP APIs, unknown query parameters are
    #   ignored (bodies are strict models and are rejected; `test_api` covers that).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzzed.token}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
