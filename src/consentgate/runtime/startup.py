"""Start-up refuses unlawful configurations: the same rules that audit a manifest guard the runtime."""

from __future__ import annotations

from consentgate.audit.engine import evaluate
from consentgate.manifest.loader import LoadedManifest
from consentgate.rules.base import Severity
from consentgate.runtime.errors import StartupRefused
from consentgate.text import Text


def refuse_unlawful(loaded: LoadedManifest) -> None:
    """Raises `StartupRefused` listing every unsuppressed high-severity finding, in zh and en."""
    blocking = [f for f in evaluate(loaded) if f.severity is Severity.HIGH and not f.suppressed]
    if not blocking:
        return
    listing = Text(
        zh="\n".join(f"  {f.location.line}:{f.location.column} {f.rule_id} {f.message.zh}" for f in blocking),
        en="\n".join(f"  {f.location.line}:{f.location.column} {f.rule_id} {f.message.en}" for f in blocking),
    )
    raise StartupRefused.from_key(
        "runtime.startup_refused", path=loaded.path, count=len(blocking), findings=listing
    )
