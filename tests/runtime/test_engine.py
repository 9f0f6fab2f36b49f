"""The embedded library end to end: start-up refusal, the seed flow done right, withdrawal on the next call."""

from __future__ import annotations

from pathlib import Path

import pytest

import consentgate
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import StartupRefused
from consentgate.runtime.ports import FakeClock, SequentialIds

EXAMPLES = Path(__file__).parents[2] / "examples" / "seed-case"
AS_FOUND = EXAMPLES / "as-found.yaml"
FIXED = EXAMPLES / "fixed.yaml"


def _engine(database_url: str, path: Path = FIXED) -> Engine:
    return Engine.from_manifest(
        path, create=True, database_url=database_url, clock=FakeClock(), ids=SequentialIds("e")
    )


def test_engine_refuses_to_run_the_app_as_the_court_found_it(database_url: str) -> None:
    with pytest.raises(StartupRefused) as refused:
        _engine(database_url, AS_FOUND)
    assert "CG-PIPL-016-FORCED-COLLECTION" in refused.value.text.zh
    assert "CG-PIPL-016-FORCED-COLLECTION" in refused.value.text.en
    assert "拒绝启动" in refused.value.text.zh and "refusing to start" in refused.value.text.en


def test_a_suppressed_high_finding_no_longer_blocks_start_up(database_url: str, tmp_path: Path) -> None:
    manifest = tmp_path / "app.yaml"
    text = FIXED.read_text("utf-8").replace(
        "    kind: personalization\n    basis: consent",
        "    kind: personalization\n    basis: contract-necessity",
    )
    assert text != FIXED.read_text("utf-8"), "the replacement must change the manifest"
    manifest.write_text(text, "utf-8")
    with pytest.raises(StartupRefused):
        _engine(database_url, manifest)
    manifest.write_text(
        text
        + "\nsuppressions:\n"
        + "  - {rule: CG-PIPL-013-PERSONALIZATION-AS-CONTRACT, path: purposes.personalized-push, reason: test}\n"
        + "  - {rule: CG-PIPL-013-BEYOND-NECESSARY, path: purposes.personalized-push, reason: test}\n",
        "utf-8",
    )
    with _engine(database_url, manifest) as engine:
        assert engine.policy.purposes["personalized-push"].basis.value == "contract-necessity"


def test_engine_exposes_its_services_and_publishes_the_manifest_notice(database_url: str) -> None:
    with _engine(database_url) as engine:
        for name in ("notices", "consent", "onboarding", "profiles", "gate", "auditlog"):
            assert getattr(engine, name) is not None
        current = engine.notices.current("privacy-policy")
        assert current is not None and current.version == "2024-01"
        assert "在线课程" in current.text.zh and "Online courses" in current.text.en
    with _engine(database_url) as again:  # a restart publishes nothing new
        assert again.notices.current("privacy-policy") == current


def test_the_seed_flow_done_right(database_url: str) -> None:
    with _engine(database_url) as engine:
        subject = "luo"
        screen = engine.onboarding.next_screen(subject)
        answered = 0
        while not screen.is_home:
            required = {
                f.data_id: "13800000000" if f.data_id == "phone" else "secret"
                for f in screen.fields
                if f.required
            }
            screen = (
                engine.onboarding.submit(subject, screen.screen_id or "", required)
                if required
                else engine.onboarding.skip(subject, screen.screen_id or "")
            )
            answered += 1
            assert answered < 10, "onboarding must reach home"
        # Only the phone number and password were given: no profile for personalization, no marketing.
        assert not engine.gate.decide(subject, "personalized-push", "occupation").allowed
        assert not engine.gate.decide(subject, "marketing-sms", "phone").allowed
        assert not engine.gate.decide(subject, "share-affiliates", "phone", "affiliate-app-a").allowed
        assert engine.gate.decide(subject, "online-courses", "phone").allowed
        assert engine.profiles.read(subject, "personalized-push") == {}

        notice = engine.notices.current("privacy-policy")
        assert notice is not None
        engine.consent.give(
            subject,
            "marketing-sms",
            notice_id=notice.notice_id,
            notice_version=notice.version,
            data=("phone",),
        )
        assert engine.gate.decide(subject, "marketing-sms", "phone").allowed
        engine.consent.withdraw(subject, "marketing-sms")
        assert not engine.gate.decide(subject, "marketing-sms", "phone").allowed  # the very next call
        engine.auditlog.flush()
        assert engine.auditlog.verify().ok


def test_engine_is_part_of_the_public_api() -> None:
    assert consentgate.Engine is Engine


LESSONS = Path(__file__).parents[2] / "examples" / "demo-app" / "lessons.yaml"


def test_engine_serves_feed_push_and_sharing_through_the_gate(database_url: str) -> None:
    with Engine.from_manifest(FIXED, create=True, database_url=database_url, catalog=LESSONS) as engine:
        engine.consent.register_subject("u")
        page = engine.feed.page("u")
        assert not page.personalized and "未个性化推荐" in page.label.zh
        assert engine.sharing is not None and engine.push is not None
        request = engine.rights.request("u", "copy")
        assert engine.rights.request("u", "copy") == request  # a repeated request returns the open one
        assert request.due_on > request.received_at.date()


def test_the_feed_needs_a_catalog(database_url: str) -> None:
    from consentgate.runtime.feed.errors import FeedMisconfigured

    with _engine(database_url) as engine, pytest.raises(FeedMisconfigured):
        _ = engine.feed
