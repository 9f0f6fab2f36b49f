"""The timeline: each event's phase against the consent moment (stated, by time, by order, or unknown),
refusals, frequency per minute, permission asks and changes, in flat memory whatever the trace's length.

Events are built here as readers yield them and classified by the real classifier and catalogs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

from consentgate.observe.traces.classify import ActorKind
from consentgate.observe.traces.model import EventKind, Stated, TraceEvent
from consentgate.observe.traces.tally import EXAMPLES, MAX_BINS
from consentgate.observe.traces.timeline import Timeline, TracePhase, UseKey, Via, fold

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
IMEI = "android.telephony.TelephonyManager.getDeviceId"
UMENG_STACK = ("com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:120)",)


def read_imei(
    where: int, *, at: datetime | None = None, stated: Stated | None = None, sdk: bool = True
) -> TraceEvent:
    return TraceEvent(
        where=where,
        kind=EventKind.API,
        time=at,
        actor="友盟+" if sdk else "APP本身",
        operation=IMEI,
        stack=UMENG_STACK if sdk else (),
        stated=stated,
    )


def moment(where: int, kind: EventKind, at: datetime | None = None) -> TraceEvent:
    return TraceEvent(where=where, kind=kind, time=at)


def phases(timeline: Timeline) -> dict[tuple[str, TracePhase | str, bool | None], int]:
    """(actor kind, phase, after refusal) → events, for the device-identifier reads."""
    return {
        (k.actor.kind.value, k.phase, k.after_refusal): t.count
        for k, t in timeline.uses.items()
        if k.category == "device.identifiers"
    }


def test_events_before_a_consent_event_are_before_consent_once_the_stream_shows_it() -> None:
    events = [read_imei(1), read_imei(2), moment(3, EventKind.CONSENT), read_imei(4)]
    timeline = fold(events)
    assert phases(timeline) == {("sdk", TracePhase.BEFORE, False): 2, ("sdk", TracePhase.AFTER, False): 1}
    assert timeline.consent is not None and (timeline.consent.where, timeline.consent.source) == (3, "event")


def test_without_any_consent_moment_nothing_is_guessed_before_or_after() -> None:
    timeline = fold([read_imei(1), read_imei(2, at=T0)])
    assert phases(timeline) == {("sdk", TracePhase.UNKNOWN, None): 2}
    assert timeline.consent is None


def test_a_phase_the_trace_states_wins_over_the_consent_time() -> None:
    late = T0 + timedelta(hours=1)
    timeline = fold([read_imei(2, at=late, stated=Stated.BEFORE)], consent_at=T0)
    assert phases(timeline) == {("sdk", TracePhase.BEFORE, False): 1}


def test_consent_at_places_events_by_their_time_and_marks_the_first_event_after_it() -> None:
    events = [read_imei(1, at=T0 - timedelta(seconds=5)), read_imei(2, at=T0 + timedelta(seconds=5))]
    timeline = fold(events, consent_at=T0)
    assert phases(timeline) == {("sdk", TracePhase.BEFORE, False): 1, ("sdk", TracePhase.AFTER, False): 1}
    assert timeline.consent is not None
    assert (timeline.consent.source, timeline.consent.ordinal, timeline.consent.time) == ("option", 1, T0)


def test_times_without_a_zone_compare_with_a_consent_time_that_has_one() -> None:
    naive = datetime(2026, 3, 1, 9, 59)  # read as UTC: before 10:00 UTC
    china = timezone(timedelta(hours=8))
    timeline = fold([read_imei(1, at=naive)], consent_at=datetime(2026, 3, 1, 18, 0, tzinfo=china))
    assert phases(timeline) == {("sdk", TracePhase.BEFORE, False): 1}


def test_with_stated_phases_the_consent_moment_is_the_first_row_stated_after() -> None:
    events = [
        read_imei(2, at=T0, stated=Stated.BEFORE),
        read_imei(3, at=T0 + timedelta(1), stated=Stated.AFTER),
    ]
    timeline = fold(events)
    assert timeline.consent is not None
    assert (timeline.consent.where, timeline.consent.source, timeline.consent.ordinal) == (3, "stated", 1)


def test_events_after_a_refusal_are_after_refusal_and_a_withdrawal_ends_consent() -> None:
    refused = fold([moment(1, EventKind.REFUSAL), read_imei(2), moment(3, EventKind.CONSENT), read_imei(4)])
    assert phases(refused) == {("sdk", TracePhase.BEFORE, True): 1, ("sdk", TracePhase.AFTER, False): 1}
    withdrawn = fold([moment(1, EventKind.CONSENT), moment(2, EventKind.WITHDRAWAL), read_imei(3)])
    assert phases(withdrawn) == {("sdk", TracePhase.AFTER, True): 1}
    assert [m.where for m in withdrawn.refusals] == [2]


def test_a_refusal_without_any_consent_keeps_after_refusal_while_the_phase_stays_unknown() -> None:
    timeline = fold([read_imei(1), moment(2, EventKind.REFUSAL), read_imei(3)])
    assert phases(timeline) == {("sdk", TracePhase.UNKNOWN, None): 1, ("sdk", TracePhase.UNKNOWN, True): 1}


def test_peak_is_the_busiest_calendar_minute_of_one_actor_and_category() -> None:
    busy = [read_imei(i, at=T0 + timedelta(seconds=i % 60)) for i in range(90)]  # 90 reads, all in 10:00
    later = [read_imei(100 + i, at=T0 + timedelta(minutes=2, seconds=i)) for i in range(5)]
    timeline = fold([*busy, *later], consent_at=T0 + timedelta(hours=1))
    umeng = next(iter(timeline.uses)).actor
    assert umeng.kind is ActorKind.SDK and umeng.sdk == "umeng"
    assert timeline.peak_per_minute(umeng, "device.identifiers") == 90


def test_reads_without_times_have_no_peak() -> None:
    timeline = fold([read_imei(1), moment(2, EventKind.CONSENT)])
    assert [t.peak_per_minute for t in timeline.uses.values()] == [None]


def test_the_app_itself_and_an_sdk_are_counted_apart() -> None:
    timeline = fold([read_imei(1, sdk=False), read_imei(2), moment(3, EventKind.CONSENT)])
    assert phases(timeline) == {("app", TracePhase.BEFORE, False): 1, ("sdk", TracePhase.BEFORE, False): 1}


def test_a_request_counts_the_data_its_names_say_it_carried() -> None:
    beacon = TraceEvent(
        where=1,
        kind=EventKind.REQUEST,
        actor="友盟+",
        operation="POST https://alog.umeng.com/app_logs?imei=&lat=",
        host="alog.umeng.com",
        sent=("imei", "lat", "sessionkey"),
    )
    timeline = fold([beacon, moment(2, EventKind.CONSENT)])
    assert {(k.category, k.via) for k in timeline.uses} == {
        ("device.identifiers", Via.REQUEST),
        ("location.precise", Via.REQUEST),
    }


def test_permission_asks_and_changes_not_made_by_the_person_are_kept_with_what_the_person_set() -> None:
    ask = TraceEvent(
        where=1, kind=EventKind.PERMISSION, actor="APP本身", permission="android.permission.CAMERA"
    )
    person = TraceEvent(
        where=3,
        kind=EventKind.PERMISSION_STATE,
        permission="android.permission.CAMERA",
        state="denied",
        by_person=True,
    )
    reset = TraceEvent(
        where=4,
        kind=EventKind.PERMISSION_STATE,
        permission="android.permission.CAMERA",
        state="granted",
        by_person=False,
    )
    timeline = fold([ask, moment(2, EventKind.CONSENT), person, reset])
    assert [(k.permission, k.phase) for k in timeline.asks] == [("camera", TracePhase.BEFORE)]
    assert [(k.permission, k.person_set, k.state, k.by_person) for k in timeline.changes] == [
        ("camera", "denied", "granted", False)
    ]


def _long_trace(events: int) -> Iterator[TraceEvent]:
    """A generator: the trace is never a list, so what the fold keeps is all that stays in memory."""
    yield from (
        read_imei(i, at=T0 + timedelta(milliseconds=10 * i), sdk=i % 3 != 0) for i in range(events // 2)
    )
    yield moment(events // 2, EventKind.CONSENT)
    yield from (read_imei(i, at=T0 + timedelta(milliseconds=10 * i)) for i in range(events // 2, events))


def test_a_long_trace_folds_into_a_few_tallies_and_a_bounded_histogram() -> None:
    timeline = fold(_long_trace(200_000))
    assert timeline.events == 200_000  # the consent moment is not an event of anyone
    assert len(timeline.uses) == 3  # sdk before, app before, sdk after
    assert all(len(t.examples) <= EXAMPLES for t in timeline.uses.values())
    assert all(len(row) <= MAX_BINS for row in timeline.histogram.rows.values())
    before = sum(b.before for row in timeline.histogram.rows.values() for b in row)
    assert (
        before == 100_000
        and sum(t.count for k, t in timeline.uses.items() if k.phase == TracePhase.BEFORE) == before
    )


def test_pending_events_keep_their_first_rows_as_evidence_when_consent_comes() -> None:
    timeline = fold([read_imei(7), read_imei(8), read_imei(9), read_imei(10), moment(11, EventKind.CONSENT)])
    (tally,) = timeline.uses.values()
    assert [row for row, _ in tally.examples] == [7, 8, 9]
    assert isinstance(next(iter(timeline.uses)), UseKey)
