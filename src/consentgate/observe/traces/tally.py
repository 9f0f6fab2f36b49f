"""The small counters a timeline is made of: a tally per (actor, what, phase), and the histogram the
HTML report draws. Each is bounded whatever the trace's length, so folding a trace runs in flat memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

EXAMPLES = 3  # rows kept per tally as evidence: enough to check a finding, never the whole trace
MAX_BINS = 48  # histogram columns: a phone screen's width of bars
_MINUTE = timedelta(minutes=1)
_NEVER = datetime.max.replace(tzinfo=UTC)  # no minute yet: every time is outside [_NEVER, _NEVER)


@dataclass(slots=True)
class Tally:
    """How often one actor did one thing in one phase, when first and last, and the first rows that show it.

    The peak is counted per calendar minute in stream order (traces are written in time order); an event
    without a time counts but cannot place itself in a minute, so a tally of such events has no peak.
    """

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    examples: list[tuple[int, str]] = field(default_factory=list)  # (row, operation)
    _peak: int = 0  # the busiest minute closed so far
    _in_minute: int = 0  # events in the minute being counted
    _minute_start: datetime = _NEVER  # the calendar minute being counted (times are aware)
    _minute_end: datetime = _NEVER

    @property
    def peak_per_minute(self) -> int | None:
        """Most events in any one calendar minute; None when no event of it had a time."""
        peak = max(self._peak, self._in_minute)
        return peak or None

    def add(self, where: int, operation: str, time: datetime | None) -> None:
        """Count one event; `time` must carry a zone (the timeline reads times without one as UTC)."""
        self.count += 1
        if self.count <= EXAMPLES:
            self.examples.append((where, operation))
        if time is None:
            return
        if self._minute_start <= time < self._minute_end:
            self._in_minute += 1
            last = self.last
            if last is None or time > last:
                self.last = time
            return
        if self._in_minute > self._peak:
            self._peak = self._in_minute
        self._minute_start = time.replace(second=0, microsecond=0)
        self._minute_end = self._minute_start + _MINUTE
        self._in_minute = 1
        if self.first is None or time < self.first:
            self.first = time
        if self.last is None or time > self.last:
            self.last = time

    def merge(self, other: Tally) -> None:
        """Fold `other` in (pending events found to be before consent); the peak is the larger of the two."""
        self.count += other.count
        self.examples = sorted(self.examples + other.examples)[:EXAMPLES]
        for time in (other.first, other.last):
            if time is not None:
                self.first = time if self.first is None else min(self.first, time)
                self.last = time if self.last is None else max(self.last, time)
        self._peak = max(self._peak, self._in_minute, other._peak, other._in_minute)
        self._in_minute = 0
        self._minute_start = self._minute_end = _NEVER


@dataclass(slots=True)
class Bin:
    """One column of the histogram: events of one actor in a stretch of the trace, by phase."""

    before: int = 0
    after: int = 0
    unknown: int = 0
    pending: int = 0  # before a consent moment the stream has not shown yet

    @property
    def total(self) -> int:
        return self.before + self.after + self.unknown + self.pending


@dataclass(slots=True)
class Histogram:
    """Events per actor along the trace, in at most MAX_BINS columns of equal width in events.

    The axis is the event's place in the stream (times may be missing or out of order); when the trace
    outgrows the columns, neighbours are merged and the width doubles, so memory never grows with it.
    """

    width: int = 1
    rows: dict[str, list[Bin]] = field(default_factory=dict)

    def add(self, actor: str, ordinal: int, phase: str) -> None:
        index = ordinal // self.width
        while index >= MAX_BINS:
            self._halve()
            index = ordinal // self.width
        row = self.rows.get(actor)
        if row is None:
            row = self.rows[actor] = []
        while len(row) <= index:
            row.append(Bin())
        column = row[index]
        if phase == "after":
            column.after += 1
        elif phase == "before":
            column.before += 1
        elif phase == "pending":
            column.pending += 1
        else:
            column.unknown += 1

    def settle(self, phase: str) -> None:
        """Every pending event is now `phase` (before consent, or unknown at the end of the trace)."""
        for row in self.rows.values():
            for column in row:
                setattr(column, phase, getattr(column, phase) + column.pending)
                column.pending = 0

    def _halve(self) -> None:
        self.width *= 2
        for actor, row in self.rows.items():
            merged = []
            for i in range(0, len(row), 2):
                pair = row[i : i + 2]
                out = Bin()
                for b in pair:
                    out.before += b.before
                    out.after += b.after
                    out.unknown += b.unknown
                    out.pending += b.pending
                merged.append(out)
            self.rows[actor] = merged
