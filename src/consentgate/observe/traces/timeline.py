"""A runtime trace folded into a compact timeline: who read what, how often, against the consent moment.

A trace may hold millions of events, so nothing here keeps them: each event is classified and counted
into a tally per (actor, category, phase), a permission tally, a setting-change tally and a histogram
column, and is then dropped. What stays is bounded by the number of distinct actors and categories.

Phase of an event, in this order:
1. the phase the trace states (camille's 隐私政策状态, the `phase` of a JSON line);
2. its time against the consent time (`--consent-at`, which wins, or the time of a CONSENT event);
3. its place in the stream against a CONSENT event: events after one are after consent; events before
   one are *pending* until the stream shows it, and stay unknown if it never does;
4. otherwise unknown. Unknown is never guessed into before or after.

After a refusal or withdrawal in the stream (and before any later consent), events are after refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from consentgate.observe.traces.classify import Actor, ActorKind, Classified, classify
from consentgate.observe.traces.model import EventKind, Stated, TraceEvent
from consentgate.observe.traces.request_data import categories_of
from consentgate.observe.traces.tally import EXAMPLES, Histogram, Tally

_CACHE_LIMIT = 65_536  # event shapes remembered on the hot path; past it the memo starts again (flat memory)


class TracePhase(StrEnum):
    BEFORE = "before-consent"
    AFTER = "after-consent"
    UNKNOWN = "unknown"


_PENDING = "pending"  # internal: before a consent moment the stream has not shown yet
_COLUMNS: dict[str, str] = {
    TracePhase.BEFORE: "before",
    TracePhase.AFTER: "after",
    TracePhase.UNKNOWN: "unknown",
}


class Via(StrEnum):
    """How the data moved: read on the device by code in the app, or sent over the network."""

    READ = "read"
    REQUEST = "request"


@dataclass(frozen=True, slots=True)
class UseKey:
    actor: Actor
    category: str
    via: Via
    phase: TracePhase | str
    after_refusal: bool | None


@dataclass(frozen=True, slots=True)
class AskKey:
    actor: Actor
    permission: str
    phase: TracePhase | str
    after_refusal: bool | None


@dataclass(frozen=True, slots=True)
class ChangeKey:
    permission: str
    state: str | None
    person_set: str | None  # what the person had set it to before, where the trace shows it
    by_person: bool | None


K = TypeVar("K", UseKey, AskKey, ChangeKey)
P = TypeVar("P", UseKey, AskKey)


@dataclass(frozen=True, slots=True)
class Moment:
    """The person's choice: when, where in the file, and how it is known (event, option, stated)."""

    kind: EventKind  # CONSENT, REFUSAL or WITHDRAWAL
    where: int | None
    time: datetime | None
    ordinal: int  # events of the trace before it: where the histogram marks it
    source: str  # "event" (a row of the trace), "option" (--consent-at) or "stated" (phases in the trace)


@dataclass
class Timeline:
    """What the trace shows, compactly. `uses`, `asks` and `changes` map each key to its tally."""

    events: int
    consent: Moment | None
    refusals: tuple[Moment, ...]
    uses: dict[UseKey, Tally]
    asks: dict[AskKey, Tally]
    changes: dict[ChangeKey, Tally]
    histogram: Histogram
    # The earliest and latest times among what was counted (personal data, permissions, choices).
    first_time: datetime | None
    last_time: datetime | None

    def peak_per_minute(self, actor: Actor, category: str) -> int | None:
        """Most reads of `category` by `actor` in any one minute, across phases (AVIM 4.4)."""
        peaks = [
            t.peak_per_minute
            for k, t in self.uses.items()
            if k.actor == actor and k.category == category and t.peak_per_minute is not None
        ]
        return max(peaks) if peaks else None


def actor_label(actor: Actor) -> str:
    """How the histogram and evidence name an actor: the SDK's name, or the app, or unknown code."""
    if actor.kind is ActorKind.SDK:
        return actor.name or "sdk"
    return actor.kind.value


def utc(time: datetime | None) -> datetime | None:
    """Times without a zone are read as UTC, so that a trace and `--consent-at` always compare."""
    if time is None or time.tzinfo is not None:
        return time
    return time.replace(tzinfo=UTC)


# (histogram row, tallies, histogram column, the words evidence quotes) of one event shape in one phase
_Slot = tuple[str, tuple[Tally, ...], str, str]
_MOMENTS = frozenset({EventKind.CONSENT, EventKind.REFUSAL, EventKind.WITHDRAWAL})


@dataclass
class TimelineBuilder:
    """Feed events with `add`, in stream order; `finish` gives the timeline."""

    consent_at: datetime | None = None
    app_package: str | None = None
    classifier: Callable[..., Classified] = classify
    events: int = 0
    consent: Moment | None = None
    refusals: list[Moment] = field(default_factory=list)
    uses: dict[UseKey, Tally] = field(default_factory=dict)
    asks: dict[AskKey, Tally] = field(default_factory=dict)
    changes: dict[ChangeKey, Tally] = field(default_factory=dict)
    histogram: Histogram = field(default_factory=Histogram)
    _consent_time: datetime | None = None
    _seen_consent: bool = False
    _refused: bool = False  # the latest choice in stream order was a refusal or withdrawal
    _first_stated_after: tuple[int, datetime | None, int] | None = None
    _person_set: dict[str, str | None] = field(default_factory=dict)
    _slots: dict[tuple[object, ...], _Slot] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._consent_time = utc(self.consent_at)

    # ------------------------------------------------------------ events

    def add(self, event: TraceEvent) -> None:
        kind = event.kind
        time = event.time
        if time is not None and time.tzinfo is None:
            time = time.replace(tzinfo=UTC)
        if kind in _MOMENTS:
            self._moment(event, time)
            return
        ordinal = self.events
        self.events = ordinal + 1
        if self.consent is None and self._consent_time is not None and self._reaches_option(time):
            self.consent = Moment(EventKind.CONSENT, None, self._consent_time, ordinal, "option")
        stated = event.stated
        phase: TracePhase | str
        if stated is not None:
            phase = self._stated(event, stated, time)
        elif self._consent_time is not None and time is not None:
            phase = TracePhase.BEFORE if time < self._consent_time else TracePhase.AFTER
        else:
            phase = TracePhase.AFTER if self._seen_consent else _PENDING
        if kind is EventKind.PERMISSION_STATE:
            seen = self._classify(event)
            self.histogram.add(actor_label(seen.actor), ordinal, _COLUMNS.get(phase, "pending"))
            self._change(event, seen, time)
            return
        # The hot path: one dict lookup finds the tallies of events of this shape in this phase.
        slot_key = (
            event.actor,
            event.operation,
            event.description,
            event.host,
            event.permission,
            event.stack,
            event.sent,
            kind,
            phase,
            self._refused,
        )
        slot = self._slots.get(slot_key)
        if slot is None:
            slot = self._slot(event, phase)
            if len(self._slots) >= _CACHE_LIMIT:
                self._slots.clear()
            self._slots[slot_key] = slot
        label, tallies, column, operation = slot
        for tally in tallies:
            tally.add(event.where, operation, time)
        self.histogram.add(label, ordinal, column)

    def _slot(self, event: TraceEvent, phase: TracePhase | str) -> _Slot:
        """What events of this shape count into: the histogram row and column, their tallies (none: not
        personal) and the words their evidence quotes."""
        seen = self._classify(event)
        column = _COLUMNS.get(phase, "pending")
        operation = event.operation or event.permission or event.description
        refused = self._refused  # while streaming the phase is never unknown: pending or known
        if event.kind is EventKind.PERMISSION:
            name = seen.permission or event.permission or event.operation or "?"
            asks = (_tally(self.asks, AskKey(seen.actor, name, phase, refused)),)
            return actor_label(seen.actor), asks, column, operation
        if event.kind is EventKind.REQUEST:
            categories = (seen.category,) if seen.category else categories_of(event.sent)
            keys = [UseKey(seen.actor, c, Via.REQUEST, phase, refused) for c in categories]
        elif seen.category is not None:
            keys = [UseKey(seen.actor, seen.category, Via.READ, phase, refused)]
        else:
            keys = []
        return actor_label(seen.actor), tuple(_tally(self.uses, key) for key in keys), column, operation

    def _reaches_option(self, time: datetime | None) -> bool:
        """The first event at or after `--consent-at`: where the histogram marks the consent moment."""
        option = utc(self.consent_at)
        return option is not None and time is not None and time >= option

    def _stated(self, event: TraceEvent, stated: Stated, time: datetime | None) -> TracePhase:
        """The phase the trace states wins; the first row stated after consent marks the consent moment."""
        if stated is Stated.BEFORE:
            return TracePhase.BEFORE
        if self._first_stated_after is None:
            self._first_stated_after = (event.where, time, self.events - 1)
        return TracePhase.AFTER

    def _classify(self, event: TraceEvent) -> Classified:
        return self.classifier(event, app_package=self.app_package)

    def _change(self, event: TraceEvent, seen: Classified, time: datetime | None) -> None:
        name = seen.permission or event.permission or "?"
        if event.by_person:
            self._person_set[name] = event.state
            return
        key = ChangeKey(name, event.state, self._person_set.get(name), event.by_person)
        _tally(self.changes, key).add(event.where, event.operation or name, time)

    def _moment(self, event: TraceEvent, time: datetime | None) -> None:
        moment = Moment(event.kind, event.where, time, self.events, "event")
        if event.kind is not EventKind.CONSENT:
            self._refused = True
            if len(self.refusals) < EXAMPLES * 4:
                self.refusals.append(moment)
            return
        self._refused = False
        if self._seen_consent:
            return  # the first consent is the consent moment
        self._seen_consent = True
        if self._consent_time is None:
            self._consent_time = time
        if self.consent_at is None:  # --consent-at, when given, is the consent moment
            self.consent = moment
        self._settle(TracePhase.BEFORE)

    def _settle(self, phase: TracePhase) -> None:
        """Pending tallies take `phase`: before consent once the stream shows one, unknown at its end."""
        self._slots.clear()  # they point at the pending tallies, which are now merged away
        _settle_table(self.uses, phase)
        _settle_table(self.asks, phase)
        self.histogram.settle("before" if phase == TracePhase.BEFORE else "unknown")

    # ------------------------------------------------------------ the end

    def finish(self) -> Timeline:
        self._settle(TracePhase.UNKNOWN)
        consent = self.consent
        if consent is None and self._first_stated_after is not None:
            where, time, ordinal = self._first_stated_after
            consent = Moment(EventKind.CONSENT, where, time, ordinal, "stated")
        if consent is None and self._consent_time is not None:  # --consent-at after every event
            consent = Moment(EventKind.CONSENT, None, self._consent_time, self.events, "option")
        times = [
            t
            for table in (self.uses, self.asks, self.changes)
            for tally in table.values()
            for t in (tally.first, tally.last)
            if t is not None
        ]
        times += [m.time for m in (self.consent, *self.refusals) if m is not None and m.time is not None]
        return Timeline(
            events=self.events,
            consent=consent,
            refusals=tuple(self.refusals),
            uses=self.uses,
            asks=self.asks,
            changes=self.changes,
            histogram=self.histogram,
            first_time=min(times, default=None),
            last_time=max(times, default=None),
        )


def fold(
    events: Iterable[TraceEvent],
    *,
    consent_at: datetime | None = None,
    app_package: str | None = None,
    classifier: Callable[..., Classified] = classify,
) -> Timeline:
    """The timeline of a stream of events, read once and never held."""
    builder = TimelineBuilder(consent_at=consent_at, app_package=app_package, classifier=classifier)
    add = builder.add
    for event in events:
        add(event)
    return builder.finish()


def _tally(table: dict[K, Tally], key: K) -> Tally:
    tally = table.get(key)
    if tally is None:
        tally = table[key] = Tally()
    return tally


def _settle_table(table: dict[P, Tally], phase: TracePhase) -> None:
    for key in [k for k in table if k.phase == _PENDING]:
        tally = table.pop(key)
        # At the end of the trace, "not after a refusal" was only known relative to a consent that never
        # came: it becomes unknown too. A refusal the stream showed stays known.
        refused = key.after_refusal if (phase != TracePhase.UNKNOWN or key.after_refusal) else None
        settled = replace(key, phase=phase, after_refusal=refused)
        if settled in table:
            table[settled].merge(tally)
        else:
            table[settled] = tally
