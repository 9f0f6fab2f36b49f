"""What an event reads and who read it, from two catalogs kept as data (observe/data/android-apis.yaml,
observe/data/sdks.yaml): API → taxonomy category, package prefix or domain → SDK and its company.

Skeleton of the interface; the catalogs fill in what it knows. An event it cannot place gets category
None (unknown), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from consentgate.observe.traces.model import TraceEvent


class ActorKind(StrEnum):
    APP = "app"  # the app's own code
    SDK = "sdk"  # a third-party SDK named by the catalog or by the trace
    UNKNOWN = "unknown"  # the trace does not say and the stack names no known package


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    name: str | None = None  # the SDK's name, e.g. 友盟+ U-App
    company: str | None = None  # who runs it, e.g. 友盟同欣（北京）科技有限公司
    source: str | None = None  # where the catalog entry comes from (a URL)


@dataclass(frozen=True, slots=True)
class Classified:
    category: str | None  # taxonomy category, e.g. device.identifier; None: not personal or not known
    permission: str | None  # short permission name (location, camera, contacts, ...) where relevant
    actor: Actor


APP = Actor(ActorKind.APP)


def classify(event: TraceEvent, *, app_package: str | None = None) -> Classified:
    """The event's category and actor. `app_package` (e.g. com.example.app) marks the app's own frames."""
    actor = APP if event.actor in (None, "APP本身", "app") else Actor(ActorKind.SDK, name=event.actor)
    return Classified(category=None, permission=event.permission, actor=actor)
