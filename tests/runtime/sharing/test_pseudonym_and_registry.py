"""The pseudonym function and the recipient registry, without a database."""

from __future__ import annotations

import pytest

from consentgate.manifest.loader import load_manifest
from consentgate.manifest.models import RecipientKind
from consentgate.runtime.errors import UnknownRecipient
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.pseudonym import subject_ref
from consentgate.runtime.sharing.registry import RecipientRegistry
from tests.runtime.sharing.conftest import APP_A, APP_B, FIXED

KEY = bytes(range(32))


def test_a_reference_is_stable_and_differs_per_recipient_tenant_and_key() -> None:
    ref = subject_ref(KEY, tenant="t", recipient=APP_A, subject="u1")
    assert ref == subject_ref(KEY, tenant="t", recipient=APP_A, subject="u1")
    assert len(ref) == 64 and "u1" not in ref
    others = {
        subject_ref(KEY, tenant="t", recipient=APP_B, subject="u1"),
        subject_ref(KEY, tenant="t2", recipient=APP_A, subject="u1"),
        subject_ref(bytes(32), tenant="t", recipient=APP_A, subject="u1"),
        subject_ref(KEY, tenant="t", recipient=APP_A, subject="u2"),
    }
    assert ref not in others and len(others) == 4


def test_parts_cannot_slide_into_each_other() -> None:
    assert subject_ref(KEY, tenant="t", recipient="ab", subject="c") != subject_ref(
        KEY, tenant="t", recipient="a", subject="bc"
    )


def test_the_registry_holds_the_affiliated_apps_with_their_sinks() -> None:
    manifest = load_manifest(FIXED).manifest
    default, own = InMemorySink(), InMemorySink()
    registry = RecipientRegistry(manifest, sink=default, sinks={APP_B: own})
    a = registry.get(APP_A)
    assert (a.name, a.kind, a.contact) == ("关联软件甲", RecipientKind.AFFILIATE, "privacy-a@example.com")
    assert registry.sink(APP_A) is default and registry.sink(APP_B) is own
    assert {r.id for r in registry} == {APP_A, APP_B} and len(registry) == 2
    with pytest.raises(UnknownRecipient):
        RecipientRegistry(manifest, sink=default, sinks={"affiliate-app-z": own})
