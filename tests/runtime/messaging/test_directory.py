"""The profile-backed directory: a phone is a marketing address only when the profile releases it for marketing."""

from __future__ import annotations

from consentgate.runtime.messaging.directory import ProfileDirectory
from tests.runtime.messaging.conftest import PURPOSE, World


def test_the_directory_reads_the_phone_only_through_the_marketing_purpose(world: World) -> None:
    engine = world.engine
    directory = ProfileDirectory(engine.profiles, engine.manifest)
    engine.consent.register_subject("alice")
    engine.profiles.set("alice", "phone", "13800000001", purposes=["online-courses"], consent_event_id=None)
    assert directory.address_of("alice", "sms") is None  # collected for the courses, not for marketing

    given = engine.consent.give("alice", PURPOSE, notice_id="privacy-policy", notice_version="2024-01")
    engine.profiles.set(
        "alice", "phone", "13800000001", purposes=["online-courses", PURPOSE], consent_event_id=given.event_id
    )
    assert directory.address_of("alice", "sms") == "13800000001"
    assert directory.address_of("alice", "email") is None  # no marketing purpose covers email

    engine.consent.withdraw("alice", PURPOSE)
    assert directory.address_of("alice", "sms") is None
