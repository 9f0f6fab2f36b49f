"""`observe --against app.yaml`: drift between what the team declared and what the browser saw.

Design: the declared manifest reaches the rules as itself, with the observation written into it.
`infer(observation, declared=...)` keeps every declared section and adds what was seen: observed
screens (`observed: true`) beside the declared ones, data items the declaration lacks, third-party
hosts as recipients, and the observed `conduct` (collections, provisions with `despite: none`,
permission asks). The ordinary rules then judge the drift with no special path:
- collected but undeclared: `CG-AVIM-039-COLLECTED-BEYOND-DECLARED` (no declared purpose uses it);
- declared optional but required on screen: `CG-AVIM-033-REQUIRED-BEYOND-DECLARED`;
- third parties not declared: `CG-PIPL-023-PROVISION-DESPITE-REFUSAL` (a provision no purpose makes,
  AVIM 3.9), with `CG-AVIM-031-SENT-BEFORE-CONSENT` where it came before consent.
"""

from __future__ import annotations

from consentgate.audit.findings import Finding
from consentgate.manifest.models import Manifest
from consentgate.observe.infer import Inferred, infer, judge
from consentgate.observe.model import Observation

DRIFT_RULES = (
    "CG-AVIM-039-COLLECTED-BEYOND-DECLARED",
    "CG-AVIM-033-REQUIRED-BEYOND-DECLARED",
    "CG-PIPL-023-PROVISION-DESPITE-REFUSAL",
)


def against(observation: Observation, declared: Manifest) -> Inferred:
    """The declared manifest with the observation written into it."""
    return infer(observation, declared=declared)


def drift(observation: Observation, declared: Manifest, path: str = "<observed>") -> list[Finding]:
    """The findings of the drift rules only, each with its evidence (the full audit is `judge`)."""
    return [f for f in judge(against(observation, declared), path) if f.rule_id in DRIFT_RULES]
