"""The trace readers on real files written as their producers write them: camille's .xls in each of its
layouts, HAR 1.2 as a proxy dumps it, consentgate JSON lines; formats found by content; every damaged
file refused with an error that names the file and the place, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from consentgate.errors import UsageError
from consentgate.observe.sent_data import redact_url
from consentgate.observe.traces.camille import parse_time
from consentgate.observe.traces.jsonl import LINE_SCHEMA, TraceLine
from consentgate.observe.traces.model import EventKind, Stated, TraceEvent, TraceFormat
from consentgate.observe.traces.read import open_trace, sniff
from tests.observe.traces.writers import (
    CamilleRow,
    HarRequest,
    camille_stack,
    camille_time,
    write_camille,
    write_har,
    write_jsonl,
    write_other_workbook,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 1, 9, 5, 3)  # camille writes this as 2026-2-1 9:5:3
PHONE = "13812345678"  # a value the person's device held: it must never reach an event
INSTALLED = "com.tencent.mm,com.eg.android.AlipayGphone"

IMEI_BY_UMENG = CamilleRow(
    privacy_policy_status="同意隐私政策前",
    alert_time=camille_time(T0),
    subject_type="友盟+",
    action="获取电话相关信息",
    messages="获取IMEI",
    arg="无参数",
    stacks=camille_stack(
        [
            "android.telephony.TelephonyManager.getDeviceId(Native Method)",
            "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:120)",
            "com.example.app.App.onCreate(App.java:31)",
        ]
    ),
)
PERMISSION_BY_APP = CamilleRow(
    privacy_policy_status="同意隐私政策前",
    alert_time=camille_time(T0 + timedelta(seconds=2)),
    action="申请权限",
    messages='申请具体权限看"参数1"',
    arg='参数0：{"mActivity":"x"}\r\n参数1：["android.permission.READ_PHONE_STATE","android.permission.CAMERA"]\r\n参数2：7',
    stacks=camille_stack(["androidx.core.app.ActivityCompat.requestPermissions(Native Method)"]),
)
PACKAGES_AFTER = CamilleRow(
    privacy_policy_status="同意隐私政策后",
    alert_time=camille_time(T0 + timedelta(minutes=1)),
    action="获取应用列表",
    messages=f"getInstalledPackages获取的数据为：{INSTALLED}",
    arg=f"参数0：{PHONE}",
    stacks=camille_stack(["android.app.ApplicationPackageManager.getInstalledPackages(Native Method)"]),
)


def _all(path: Path, **options: str) -> list[TraceEvent]:
    return list(open_trace(path, **options).events())


def _error(path: Path, **options: str) -> UsageError:
    with pytest.raises(UsageError) as caught:
        _all(path, **options)
    return caught.value


# --- camille


def test_camille_time_counts_months_from_zero_as_its_script_writes_them():
    assert camille_time(T0) == "2026-2-1 9:5:3"
    assert parse_time("2026-2-1 9:5:3") == T0
    assert parse_time("2026-0-31 23:59:59") == datetime(2026, 1, 31, 23, 59, 59)
    assert parse_time("2026-11-31 0:0:0") == datetime(2026, 12, 31)
    assert parse_time("2026-12-1 0:0:0") is None  # a 13th month: not camille's


def test_new_camille_export_states_each_phase_and_names_sdk_and_app(tmp_path: Path):
    path = write_camille(tmp_path / "camille.xls", [IMEI_BY_UMENG, PERMISSION_BY_APP, PACKAGES_AFTER])
    reading = open_trace(path)
    assert (reading.format, reading.states_phase) == (TraceFormat.CAMILLE, True)
    imei, permission, packages = reading.events()
    assert imei == TraceEvent(
        where=2,
        kind=EventKind.API,
        time=T0,
        actor="友盟+",
        operation="android.telephony.TelephonyManager.getDeviceId",
        description="获取IMEI",
        stack=(
            "android.telephony.TelephonyManager.getDeviceId(Native Method)",
            "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:120)",
            "com.example.app.App.onCreate(App.java:31)",
        ),
        stated=Stated.BEFORE,
    )
    assert (permission.kind, permission.actor, permission.stated) == (
        EventKind.PERMISSION,
        "APP本身",
        Stated.BEFORE,
    )
    assert permission.permission == "android.permission.READ_PHONE_STATE,android.permission.CAMERA"
    assert (packages.where, packages.stated, packages.time) == (4, Stated.AFTER, T0 + timedelta(minutes=1))
    assert packages.operation == "android.app.ApplicationPackageManager.getInstalledPackages"


def test_camille_values_a_call_passed_or_returned_are_not_kept(tmp_path: Path):
    path = write_camille(tmp_path / "camille.xls", [PERMISSION_BY_APP, PACKAGES_AFTER])
    kept = repr(_all(path))
    assert PHONE not in kept
    assert "com.tencent.mm" not in kept
    assert "mActivity" not in kept
    assert "getInstalledPackages" in kept


@pytest.mark.parametrize("layout", ["2022-06", "2021-10"])
def test_older_camille_exports_leave_phase_and_actor_unsaid(tmp_path: Path, layout):
    path = write_camille(tmp_path / "old.xls", [IMEI_BY_UMENG, PACKAGES_AFTER], layout=layout)
    reading = open_trace(path)
    assert (reading.format, reading.states_phase) == (TraceFormat.CAMILLE, False)
    events = list(reading.events())
    assert [(e.stated, e.actor) for e in events] == [(None, None), (None, None)]
    assert [e.time for e in events] == [T0, T0 + timedelta(minutes=1)]
    assert events[0].operation == "android.telephony.TelephonyManager.getDeviceId"
    assert events[0].description == "获取IMEI"


def test_camille_export_resaved_with_real_dates_reads_those_dates(tmp_path: Path):
    resaved = CamilleRow(alert_time=T0, action="获取电话相关信息", messages="获取IMEI", stacks="")
    (event,) = _all(write_camille(tmp_path / "resaved.xls", [resaved]))
    assert event.time == T0


def test_camille_row_with_a_time_not_in_camilles_form_is_a_located_error(tmp_path: Path):
    bad = CamilleRow(alert_time="yesterday", action="获取电话相关信息", messages="获取IMEI", stacks="")
    path = write_camille(tmp_path / "camille.xls", [IMEI_BY_UMENG, bad])
    error = _error(path)
    assert "row 3" in error.text.en and "第 3 行" in error.text.zh
    assert str(path) in error.text.en and str(path) in error.text.zh and "yesterday" in error.text.en


def test_camille_row_with_an_unknown_status_is_a_located_error(tmp_path: Path):
    bad = CamilleRow(
        alert_time=camille_time(T0), action="x", messages="y", stacks="", privacy_policy_status="不知道"
    )
    error = _error(write_camille(tmp_path / "camille.xls", [bad]))
    assert "row 2" in error.text.en and "第 2 行" in error.text.zh and "不知道" in error.text.zh


def test_camille_export_cut_in_half_is_refused_as_damaged(tmp_path: Path):
    rows = [IMEI_BY_UMENG, PERMISSION_BY_APP, PACKAGES_AFTER] * 50
    whole = write_camille(tmp_path / "whole.xls", rows).read_bytes()
    cut = tmp_path / "cut.xls"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UsageError) as caught:
        open_trace(cut)
    assert str(cut) in caught.value.text.en and str(cut) in caught.value.text.zh
    assert "damaged or cut short" in caught.value.text.en and "损坏" in caught.value.text.zh


def test_workbook_that_is_not_a_camille_export_is_not_a_trace(tmp_path: Path):
    path = write_other_workbook(tmp_path / "other.xls")
    assert sniff(path) is None
    with pytest.raises(UsageError) as caught:
        open_trace(path)
    assert "is not a trace" in caught.value.text.en


# --- HAR

CONSENT_URL = "https://app.example.cn/api/privacy/agree?version=3"


def _har_with_beacon_before_consent(path: Path) -> Path:
    return write_har(
        path,
        [
            HarRequest(
                started="2026-03-01T10:00:00.100+08:00",
                url=f"https://ulogs.umeng.com/unify_logs?imei=86{PHONE[:13]}&ak=5f0c",
                method="POST",
                headers=[("Host", "ulogs.umeng.com"), ("X-Device", "abc123"), ("Cookie", "cna=secretcookie")],
                body='{"header":{"imei":"861234567890123","oaid":"deadbeef"},"events":[{"id":"launch"}]}',
            ),
            HarRequest(
                started="2026-03-01T10:00:05.000+08:00",
                url=CONSENT_URL,
                method="POST",
                body="agreed=1&policy=3",
                mime="application/x-www-form-urlencoded",
            ),
            HarRequest(
                started="2026-03-01T10:00:06.250Z",
                url="https://app.example.cn/api/home",
                cookies=[("session", "s3cr3t")],
            ),
        ],
    )


def test_har_beacon_before_the_consent_request_comes_before_the_consent_moment(tmp_path: Path):
    path = _har_with_beacon_before_consent(tmp_path / "capture.har")
    reading = open_trace(path, consent_request=r"/privacy/agree")
    assert (reading.format, reading.states_phase) == (TraceFormat.HAR, False)
    events = list(reading.events())
    assert [(e.where, e.kind) for e in events] == [
        (1, EventKind.REQUEST),
        (2, EventKind.REQUEST),
        (2, EventKind.CONSENT),
        (3, EventKind.REQUEST),
    ]
    beacon = events[0]
    assert (beacon.host, beacon.method, beacon.url) == (
        "ulogs.umeng.com",
        "POST",
        "https://ulogs.umeng.com/unify_logs?imei&ak",
    )
    assert beacon.time == datetime(2026, 3, 1, 10, 0, 0, 100_000, tzinfo=CST)
    assert set(beacon.sent) >= {"imei", "ak", "header.imei", "header.oaid", "events.id", "x-device", "cna"}
    assert events[2].time == datetime(2026, 3, 1, 10, 0, 5, tzinfo=CST)
    assert events[3].sent == ("session",)
    assert events[3].time == datetime(2026, 3, 1, 10, 0, 6, 250_000, tzinfo=UTC)


def test_har_keeps_names_of_what_was_sent_never_the_values(tmp_path: Path):
    kept = repr(_all(_har_with_beacon_before_consent(tmp_path / "capture.har"), consent_request="agree"))
    for value in (
        "861234567890123",
        "deadbeef",
        "abc123",
        "secretcookie",
        "s3cr3t",
        "5f0c",
        "launch",
        "version=3",
    ):
        assert value not in kept


def test_har_without_a_consent_pattern_states_no_consent_moment(tmp_path: Path):
    events = _all(_har_with_beacon_before_consent(tmp_path / "capture.har"))
    assert [e.kind for e in events] == [EventKind.REQUEST] * 3


def test_har_consent_is_marked_once_at_the_first_matching_request(tmp_path: Path):
    requests = [HarRequest(started=f"2026-03-01T10:00:0{i}+08:00", url=CONSENT_URL) for i in range(3)]
    events = _all(write_har(tmp_path / "twice.har", requests), consent_request="agree")
    assert [(e.where, e.kind) for e in events if e.kind is EventKind.CONSENT] == [(1, EventKind.CONSENT)]


def test_har_cut_mid_entry_is_a_located_error_after_the_whole_entries(tmp_path: Path):
    whole = _har_with_beacon_before_consent(tmp_path / "whole.har").read_text("utf-8")
    cut = tmp_path / "cut.har"
    cut.write_text(whole[: whole.index(CONSENT_URL)], "utf-8")
    reading = open_trace(cut)
    events = reading.events()
    assert next(events).where == 1
    with pytest.raises(UsageError) as caught:
        next(events)
    assert "entry 2" in caught.value.text.en and "第 2 个条目" in caught.value.text.zh
    assert str(cut) in caught.value.text.en


def test_har_entry_with_a_bad_time_is_a_located_error(tmp_path: Path):
    path = write_har(tmp_path / "bad.har", [HarRequest(started="10 o'clock", url="https://a.example/")])
    error = _error(path)
    assert "entry 1" in error.text.en and "10 o'clock" in error.text.en and "第 1 个条目" in error.text.zh


def test_an_invalid_consent_pattern_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError) as caught:
        open_trace(_har_with_beacon_before_consent(tmp_path / "c.har"), consent_request="agree(")
    assert "agree(" in caught.value.text.en and "正则表达式" in caught.value.text.zh


# --- JSON lines

EVERY_KIND: list[dict[str, object]] = [
    {
        "time": "2026-03-01T10:00:00+08:00",
        "kind": "api",
        "actor": "com.umeng",
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "data": ["imei"],
        "stack": ["android.telephony.TelephonyManager.getDeviceId", "com.umeng.Device.imei"],
        "phase": "before-consent",
    },
    {
        "time": "2026-03-01T10:00:01.5+08:00",
        "kind": "request",
        "actor": "app",
        "url": "https://t.example.com/collect?oaid=abc&v=2",
        "method": "POST",
        "data": ["oaid", "android_id"],
        "phase": "before-consent",
    },
    {"time": "2026-03-01T10:00:02+08:00", "kind": "permission", "permission": "android.permission.CAMERA"},
    {"time": "2026-03-01T10:00:03+08:00", "kind": "consent"},
    {
        "time": "2026-03-01T10:00:04+08:00",
        "kind": "permission-state",
        "permission": "location",
        "state": "granted",
        "by_person": True,
        "phase": "after-consent",
    },
    {"time": "2026-03-01T10:00:05+08:00", "kind": "refusal", "description": "skipped the marketing box"},
    {"time": "2026-03-01T10:00:06+08:00", "kind": "withdrawal"},
]


def test_json_lines_of_every_kind_read_in_file_order(tmp_path: Path):
    path = write_jsonl(tmp_path / "trace.jsonl", EVERY_KIND)
    reading = open_trace(path)
    assert (reading.format, reading.states_phase) == (TraceFormat.JSONL, True)
    events = list(reading.events())
    assert [e.kind.value for e in events] == [
        "api", "request", "permission", "consent", "permission-state", "refusal", "withdrawal",
    ]  # fmt: skip
    api, request, permission, consent, state, refusal, _ = events
    assert (api.where, api.actor, api.operation, api.sent, api.stated) == (
        1,
        "com.umeng",
        "android.telephony.TelephonyManager.getDeviceId",
        ("imei",),
        Stated.BEFORE,
    )
    assert api.stack == ("android.telephony.TelephonyManager.getDeviceId", "com.umeng.Device.imei")
    assert (request.url, request.host, request.method) == (
        "https://t.example.com/collect?oaid&v",
        "t.example.com",
        "POST",
    )
    assert request.sent == ("oaid", "android_id", "v")
    assert request.time == datetime(2026, 3, 1, 10, 0, 1, 500_000, tzinfo=CST)
    assert (permission.permission, permission.stated) == ("android.permission.CAMERA", None)
    assert consent.time == datetime(2026, 3, 1, 10, 0, 3, tzinfo=CST)
    assert (state.permission, state.state, state.by_person, state.stated) == (
        "location",
        "granted",
        True,
        Stated.AFTER,
    )
    assert refusal.description == "skipped the marketing box"


def test_blank_lines_are_skipped_and_lines_keep_their_numbers(tmp_path: Path):
    path = tmp_path / "trace.jsonl"
    write_jsonl(path, EVERY_KIND[2:4])
    path.write_bytes(b"\n   \n" + path.read_bytes())
    assert [e.where for e in _all(path)] == [3, 4]


def test_json_lines_without_phase_state_none(tmp_path: Path):
    reading = open_trace(write_jsonl(tmp_path / "t.jsonl", EVERY_KIND[2:4]))
    assert reading.states_phase is False


def test_every_documented_line_validates_against_the_line_schema():
    jsonschema.Draft202012Validator.check_schema(LINE_SCHEMA)
    for line in EVERY_KIND:
        jsonschema.validate(line, LINE_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"time": "2026-03-01T10:00:00Z", "kind": "api"}, LINE_SCHEMA)


@pytest.mark.parametrize(
    ("line", "english", "chinese"),
    [
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "api", "api": "x.y"', "not a JSON object", "不是 JSON 对象"),
        (b"[1, 2]", "not a JSON object", "不是 JSON 对象"),
        (b'{"time": "yesterday", "kind": "consent"}', '"yesterday"', "ISO 8601"),
        (b'{"kind": "consent"}', "ISO 8601", "ISO 8601"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "click"}', '"click"', "之一"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": ["api"]}', '["api"]', "之一"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "api"}', 'needs "api"', "需要"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "request", "url": 7}', '"url" must be a string', "字符串"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "api", "api": "a", "data": "imei"}', "list of strings", "字符串列表"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "consent", "phase": "later"}', '"later"', "before-consent"),
        (b'{"time": "2026-03-01T10:00:00Z", "kind": "permission-state", "permission": "camera", "by_person": "yes"}',
         "true or false", "true 或 false"),
        (b'{"time": "2026-03-01T10:00:00", "kind": "consent"}', "UTC offset", "UTC 偏移"),
    ],
)  # fmt: skip
def test_a_bad_json_line_ends_the_read_with_its_line_number(tmp_path: Path, line, english, chinese):
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b'{"time": "2026-03-01T09:00:00+08:00", "kind": "consent"}\n' + line + b"\n")
    events = open_trace(path).events()
    assert next(events).where == 1
    with pytest.raises(UsageError) as caught:
        next(events)
    error = caught.value
    assert "line 2" in error.text.en and "第 2 行" in error.text.zh
    assert str(path) in error.text.en and str(path) in error.text.zh
    assert english in error.text.en and chinese in error.text.zh
    assert error.location is not None and error.location.line == 2


# --- sniffing by content


def test_formats_are_found_by_content_whatever_the_extension(tmp_path: Path):
    camille = write_camille(tmp_path / "export.json", [IMEI_BY_UMENG])
    har = _har_with_beacon_before_consent(tmp_path / "capture.txt")
    lines = write_jsonl(tmp_path / "trace.xls", EVERY_KIND)
    minified = tmp_path / "one-line.jsonl"
    minified.write_text(har.read_text("utf-8").replace("\n", ""), "utf-8")
    assert [sniff(p) for p in (camille, har, lines, minified)] == [
        TraceFormat.CAMILLE,
        TraceFormat.HAR,
        TraceFormat.JSONL,
        TraceFormat.HAR,
    ]
    assert [e.kind for e in _all(camille)] == [EventKind.API]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello, this is a README\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b'{"name": "package", "version": "1.0"}\n',
        b'{\n  "log": {"version": "1.2", "creator": {"name": "x"}}\n}\n',
        b'{"time": "2026-03-01T10:00:00Z"}\n',
    ],
)
def test_files_that_are_no_trace_are_refused_up_front(tmp_path: Path, content):
    path = tmp_path / "trace.har"
    path.write_bytes(content)
    assert sniff(path) is None
    with pytest.raises(UsageError) as caught:
        open_trace(path)
    assert (
        "is not a trace" in caught.value.text.en
        and "不是 consentgate 能读取的轨迹文件" in caught.value.text.zh
    )


def test_a_byte_order_mark_does_not_hide_a_har_or_json_lines(tmp_path: Path):
    har = _har_with_beacon_before_consent(tmp_path / "capture.har")
    har.write_bytes(b"\xef\xbb\xbf" + har.read_bytes())
    lines = write_jsonl(tmp_path / "trace.jsonl", EVERY_KIND)
    lines.write_bytes(b"\xef\xbb\xbf" + lines.read_bytes())
    assert [len(_all(har)), len(_all(lines))] == [3, len(EVERY_KIND)]


def test_a_missing_file_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError) as caught:
        open_trace(tmp_path / "nowhere.har")
    assert "nowhere.har" in caught.value.text.en and "无法读取" in caught.value.text.zh


# --- the fast path agrees with the slow one


@pytest.mark.parametrize(
    "url",
    [
        "https://t.example.com/collect?oaid=abc&v=2",
        "https://t.example.com/collect?a=b=c&&d&e=#frag?x=1",
        "https://t.example.com/p=q/collect?=x&name%20sp=1&plus+name=2",
        "https://t.example.com/",
        "http://127.0.0.1:8080/x?",
    ],
)
def test_request_urls_read_fast_are_redacted_as_the_browser_path_redacts_them(tmp_path: Path, url):
    (event,) = _all(
        write_jsonl(tmp_path / "t.jsonl", [{"time": "2026-03-01T10:00:00Z", "kind": "request", "url": url}])
    )
    assert event.url == redact_url(url)
    assert event.host == urlsplit(url).hostname


def test_a_time_msgspec_does_not_read_is_still_read_as_iso_8601(tmp_path: Path):
    (event,) = _all(write_jsonl(tmp_path / "t.jsonl", [{"time": "20260301T100000+0800", "kind": "consent"}]))
    assert event.time == datetime(2026, 3, 1, 10, 0, tzinfo=CST)


def test_line_schema_and_line_struct_name_the_same_fields():
    assert set(LINE_SCHEMA["properties"]) == set(TraceLine.__struct_fields__)


def test_a_trace_removed_after_opening_is_a_usage_error_when_read(tmp_path: Path):
    path = write_jsonl(tmp_path / "trace.jsonl", EVERY_KIND)
    reading = open_trace(path)
    path.unlink()
    with pytest.raises(UsageError) as caught:
        list(reading.events())
    assert "trace.jsonl" in caught.value.text.en and "无法读取" in caught.value.text.zh
