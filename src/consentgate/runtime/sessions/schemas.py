"""What the session store hands out: a loaded session and the lifetimes that bound it. Never a row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

# OWASP's session guidance: an idle timeout of minutes, an absolute one of hours. A person comes to the
# privacy pages for one errand; an operator's console tab left open overnight must not stay signed in.
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=8)
# last_seen_at is bookkeeping for the idle timeout: writing it on every page would make every page
# view a write, so it is written when it is this old (the idle timeout is then exact to this much).
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Identity:
    """Who a session is signed in as: a person (`subject`), an operator (`key_id`), or both, of one tenant."""

    tenant: str | None = None
    subject: str | None = None
    key_id: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Identity:
        """Read from the session's data as `service/web/session.py` writes it."""
        person, operator = data.get("person"), data.get("operator")
        tenant = subject = key_id = None
        if isinstance(operator, dict):
            tenant, key_id = str(operator.get("tenant")), str(operator.get("key_id"))
        if isinstance(person, dict):  # the person's tenant: "sign out everywhere" deletes by it
            tenant, subject = str(person.get("tenant")), str(person.get("subject"))
        return cls(tenant=tenant, subject=subject, key_id=key_id)


@dataclass(frozen=True)
class LoadedSession:
    """A live session found by its token: its data, and whether `last_seen_at` is due a write."""

    token: str = field(repr=False)
    data: dict[str, Any]
    touch_due: bool
