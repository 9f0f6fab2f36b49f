"""How a tenant's marketing is throttled: frequency cap, quiet hours, the link that unsubscribes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo

# China Standard Time has had no daylight saving since 1991: a fixed offset needs no tz database.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class FrequencyCap:
    """At most `max_messages` marketing messages per subject per channel in any rolling `window`."""

    max_messages: int
    window: timedelta


@dataclass(frozen=True)
class QuietHours:
    """No marketing between `start` and `end`, local time (the window may cross midnight)."""

    start: time
    end: time
    tz: tzinfo = CHINA_STANDARD_TIME

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """The first moment after `moment` at which the quiet window is over."""
        local = moment.astimezone(self.tz)
        end = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(moment.tzinfo)


@dataclass(frozen=True)
class MessagingConfig:
    """One tenant's messaging settings (the contact hashes' keys come from the key provider, not from here)."""

    unsubscribe_url: str = "https://example.invalid/unsubscribe/{token}"
    frequency_cap: FrequencyCap | None = field(
        default_factory=lambda: FrequencyCap(max_messages=4, window=timedelta(days=7))
    )
    quiet_hours: QuietHours | None = field(default_factory=lambda: QuietHours(time(21, 0), time(8, 0)))
    batch_size: int = 500
