"""consentgate: describe an app's personal-information processing once, audit it against the law.

The public API is what `__all__` lists (pinned by tests/test_public_api.py); everything else may
change between releases.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consentgate.audit.engine import audit_file, evaluate
    from consentgate.audit.findings import Finding, ManifestReport
    from consentgate.errors import ConsentgateError, ManifestErrors
    from consentgate.law.catalog import load_catalog
    from consentgate.manifest.loader import LoadedManifest, load_manifest, parse_manifest
    from consentgate.manifest.models import Manifest
    from consentgate.rules.base import Hit, Rule, Severity, all_rules
    from consentgate.runtime.engine import Engine
    from consentgate.text import Text

# Imported on first use, not at `import consentgate`: every command line starts by importing this
# package, and the runtime (SQLAlchemy, Alembic) costs most of a second that `audit` or `--help` never use.
_HOME = {
    "audit_file": "consentgate.audit.engine",
    "evaluate": "consentgate.audit.engine",
    "Finding": "consentgate.audit.findings",
    "ManifestReport": "consentgate.audit.findings",
    "ConsentgateError": "consentgate.errors",
    "ManifestErrors": "consentgate.errors",
    "load_catalog": "consentgate.law.catalog",
    "LoadedManifest": "consentgate.manifest.loader",
    "load_manifest": "consentgate.manifest.loader",
    "parse_manifest": "consentgate.manifest.loader",
    "Manifest": "consentgate.manifest.models",
    "Hit": "consentgate.rules.base",
    "Rule": "consentgate.rules.base",
    "Severity": "consentgate.rules.base",
    "all_rules": "consentgate.rules.base",
    "Engine": "consentgate.runtime.engine",
    "Text": "consentgate.text",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'consentgate' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


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
