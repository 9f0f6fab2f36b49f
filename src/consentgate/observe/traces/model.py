"""One event of a runtime trace, whatever file it came from: the shape every trace reader yields.

A plain slotted dataclass rather than pydantic: a trace may hold millions of events and readers must
stream them at hundreds of thousands a second. Not `frozen`, for the same reason: a frozen dataclass sets
each field through `object.__setattr__`, which made building an event cost 2.8 µs instead of 0.5 µs
(most of the reader's time); nothing mutates an event once a reader has yielded it. Values a call passed (`传入参数`) are not kept, as they
may be the person's data; only the names of what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TraceFormat(StrEnum):
    CAMILLE = "camille"  # camille's .xls export (sheet App_privacy_compliance_testing)
    HAR = "har"  # HAR 1.2 from a proxy or a browser
    JSONL = "jsonl"  # consentgate's neutral JSON-lines trace (docs/observe.md)


class EventKind(StrEnum):
    """What the event is: a call, a request, a permission, or one of the person's own acts."""

    API = "api"  # a sensitive API call (TelephonyManager.getDeviceId, ...)
    REQUEST = "request"  # a network request
    PERMISSION = "permission"  # a runtime permission asked for (requestPermissions, ...)
    PERMISSION_STATE = "permission-state"  # a permission's state changed (granted/denied), by whom
    CONSENT = "consent"  # the person agreed to the privacy policy: the consent moment
    REFUSAL = "refusal"  # the person refused or skipped
    WITHDRAWAL = "withdrawal"  # the person withdrew consent in settings


class Stated(StrEnum):
    """The phase the trace itself states for an event (camille's 隐私政策状态, JSON lines' `phase`)."""

    BEFORE = "before-consent"
    AFTER = "after-consent"


@dataclass(slots=True)
class TraceEvent:
    """One row, entry or line. `where` locates it in the file for evidence (sheet row, entry, line)."""

    where: int  # 1-based row (camille, counting the header), entry index (HAR) or line number (JSON lines)
    kind: EventKind
    time: datetime | None = None
    actor: str | None = None  # as the trace names it: 'APP本身', an SDK's name, a package; None: unsaid
    operation: str = ""  # the API (class.method) or 'METHOD url' of a request
    description: str = ""  # camille's 行为描述, or the line's own words
    stack: tuple[str, ...] = ()  # frames, innermost first, as written
    stated: Stated | None = None  # the phase the trace states, if it states one
    url: str | None = None  # requests: the URL with query values dropped (names kept)
    host: str | None = None
    method: str | None = None
    sent: tuple[str, ...] = ()  # requests: names of parameters, fields and headers that left
    permission: str | None = None  # permission events: android.permission.* or a short name
    state: str | None = None  # permission-state events: granted, denied
    by_person: bool | None = None  # permission-state events: the person changed it themselves
