"""consentgate: describe an app's personal-information processing once, audit it against the law.

The public API is what `__all__` lists (pinned by tests/test_public_api.py); everything else may
change between releases.
"""

from __future__ import annotations

from consentgate.audit.engine import audit_file, evaluate
from consentgate.audit.findings import Finding, ManifestReport
from consentgate.errors import ConsentgateError, ManifestErrors
from consentgate.law.catalog import load_catalog
from consentgate.manifest.loader import LoadedManifest, load_manifest, parse_manifest
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, all_rules
from consentgate.runtime.engine import Engine
from consentgate.text import Text

__version__ = "0.1.0"

__all__ = [
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
