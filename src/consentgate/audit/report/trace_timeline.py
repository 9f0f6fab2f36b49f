"""The picture of a trace for the observe HTML report: events per actor along the trace, against the consent
moment, with what came before it highlighted, so a tester sees at a glance what ran too early.

Drawn as inline SVG (no script, no library): one strip per actor, one column per stretch of the trace,
each column's height the events in it (on a square-root scale, so one busy SDK does not flatten the
rest), the before-consent part in the warning colour, and a line where the person consented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from consentgate.observe.traces.tally import MAX_BINS, Bin
from consentgate.observe.traces.timeline import Timeline, TracePhase, actor_label

STRIPS = 12  # actors drawn; the rest are summed into one strip
HEIGHT = 20.0  # the SVG's own units: MAX_BINS wide, HEIGHT high, stretched to the page's width


@dataclass(frozen=True)
class Bar:
    x: int
    before: float  # heights in SVG units, stacked from the bottom: before, unknown, after
    unknown: float
    after: float


@dataclass(frozen=True)
class Strip:
    actor: str
    total: int
    before: int
    unknown: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Early:
    """One line of "what ran before consent": who, what, how often, first rows."""

    actor: str
    what: str
    count: int
    rows: tuple[int, ...]


@dataclass(frozen=True)
class TraceView:
    events: int
    consent_x: float | None  # where the consent line is, in SVG units; None: no consent moment known
    consent_time: str | None
    consent_source: str | None
    strips: tuple[Strip, ...]
    early: tuple[Early, ...]
    width: int = MAX_BINS  # columns drawn: those the trace filled, at most MAX_BINS
    height: float = HEIGHT


def trace_view(timeline: Timeline) -> TraceView:
    rows = sorted(timeline.histogram.rows.items(), key=lambda kv: -sum(b.total for b in kv[1]))
    shown = rows[:STRIPS]
    if len(rows) > STRIPS:
        shown.append(("…", _summed([row for _, row in rows[STRIPS:]])))
    peak = max((b.total for _, row in shown for b in row), default=0)
    consent = timeline.consent
    used = max((len(row) for _, row in shown), default=1)  # columns the trace filled: the picture's width
    return TraceView(
        events=timeline.events,
        consent_x=None if consent is None else min(consent.ordinal / timeline.histogram.width, used),
        consent_time=_shown(consent.time) if consent is not None and consent.time is not None else None,
        consent_source=consent.source if consent is not None else None,
        strips=tuple(_strip(actor, row, peak) for actor, row in shown),
        early=_early(timeline),
        width=used,
    )


def _shown(time: datetime) -> str:
    """As the trace wrote it: camille's offset-less times (read as UTC) are shown without an offset."""
    offset = time.utcoffset()
    plain = time.strftime("%Y-%m-%d %H:%M:%S")
    return plain if not offset else f"{plain} {time.strftime('%z')}"


def _strip(actor: str, row: list[Bin], peak: int) -> Strip:
    bars = []
    for x, column in enumerate(row):
        if not column.total:
            continue
        scale = HEIGHT * math.sqrt(column.total / peak) / column.total if peak else 0.0
        bars.append(Bar(x, column.before * scale, column.unknown * scale, column.after * scale))
    return Strip(
        actor=actor,
        total=sum(b.total for b in row),
        before=sum(b.before for b in row),
        unknown=sum(b.unknown for b in row),
        bars=tuple(bars),
    )


def _summed(rows: list[list[Bin]]) -> list[Bin]:
    out = [Bin() for _ in range(max(len(r) for r in rows))]
    for row in rows:
        for column, b in zip(out, row, strict=False):
            column.before += b.before
            column.after += b.after
            column.unknown += b.unknown
    return out


def _early(timeline: Timeline) -> tuple[Early, ...]:
    found = [
        Early(actor_label(k.actor), k.category, t.count, tuple(r for r, _ in t.examples))
        for k, t in timeline.uses.items()
        if k.phase == TracePhase.BEFORE
    ]
    found += [
        Early(actor_label(k.actor), k.permission, t.count, tuple(r for r, _ in t.examples))
        for k, t in timeline.asks.items()
        if k.phase == TracePhase.BEFORE
    ]
    return tuple(sorted(found, key=lambda e: (e.rows[:1], e.actor)))
