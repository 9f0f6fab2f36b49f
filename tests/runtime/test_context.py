"""The engine says each shared collaborator once: one frozen context that every service is built from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock, SequentialIds

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"


def test_the_context_is_the_engines_own_parts_and_cannot_be_changed(database_url: str) -> None:
    with Engine.from_manifest(
        FIXED, create=True, database_url=database_url, clock=FakeClock(), ids=SequentialIds("c")
    ) as engine:
        ctx = engine.context
        assert ctx.db is engine.database and ctx.tenant == engine.tenant and ctx.clock is engine.clock
        assert ctx.ids is engine.ids and ctx.audit is engine.auditlog
        assert ctx.manifest is engine.manifest and ctx.policy is engine.policy
        assert ctx.scope == {
            "tenant": engine.tenant,
            "clock": engine.clock,
            "ids": engine.ids,
            "audit": engine.auditlog,
        }
        with pytest.raises(dataclasses.FrozenInstanceError):
            ctx.tenant = "someone-else"  # type: ignore[misc]
