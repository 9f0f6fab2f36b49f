"""The decision gate: may this subject's data be processed for this purpose, right now?"""

from consentgate.runtime.gate.decision import Decision, ReasonCode
from consentgate.runtime.gate.service import Gate

__all__ = ["Decision", "Gate", "ReasonCode"]
