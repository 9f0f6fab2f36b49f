"""The public API is a promise: `__all__` is pinned here, so changing it is a deliberate act."""

from __future__ import annotations

import consentgate

PINNED = [
    "ConsentgateError",
    "Engine",
    "Finding",
    "Hit",
    "LoadedManifest",
    "Manifest",
    "ManifestErrors",
    "ManifestReport",
    "Rule",
    "Severity",
    "Text",
    "__version__",
    "all_rules",
    "audit_file",
    "evaluate",
    "load_catalog",
    "load_manifest",
    "parse_manifest",
]


def test_all_is_pinned() -> None:
    assert sorted(consentgate.__all__) == PINNED


def test_every_public_name_exists() -> None:
    for name in consentgate.__all__:
        assert getattr(consentgate, name) is not None
