"""A submission is one transaction: if storing an answer fails, its consent is not recorded either."""

from __future__ import annotations

from typing import Any

import pytest

from consentgate.runtime.engine import Engine
from tests.runtime.onboarding.conftest import FIXED

ANSWER = {"occupation": "teacher", "consent:personalized-push": True}


def _to_questionnaire(engine: Engine, subject: str) -> str:
    screen = engine.onboarding.next_screen(subject)
    while screen.screen_id != "questionnaire":
        values = {f.data_id: "13800000000" for f in screen.fields if f.required}
        screen = (
            engine.onboarding.submit(subject, screen.screen_id or "", values)
            if values
            else engine.onboarding.skip(subject, screen.screen_id or "")
        )
    return screen.screen_id


def test_a_failed_answer_leaves_no_consent_behind(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Engine.from_manifest(FIXED, create=True, database_url=database_url) as engine:
        screen_id = _to_questionnaire(engine, "u")
        before = len(engine.consent.events("u"))

        def broken(*_args: Any, **_kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(engine.profiles, "set_in", broken)
        with pytest.raises(RuntimeError):
            engine.onboarding.submit("u", screen_id, ANSWER)
        assert len(engine.consent.events("u")) == before
        assert not engine.gate.decide("u", "personalized-push", "occupation").allowed

        monkeypatch.undo()
        engine.onboarding.submit("u", screen_id, ANSWER)
        assert engine.gate.decide("u", "personalized-push", "occupation").allowed
        assert engine.profiles.read("u", "personalized-push") == {"occupation": "teacher"}
        engine.auditlog.flush()
        assert engine.auditlog.verify().ok
