"""Issue 19: each trace event gets a data category from the API mapping and an actor from the SDK catalog.

Everything here runs on the packaged catalogs (observe/data/android-apis.yaml, sdks.yaml, trackers.yaml) and the
law catalog's taxonomy; the only hand-made data is the TraceEvents, built as the trace readers build them.
"""

from __future__ import annotations

from typing import Any

import pytest

from consentgate.law.catalog import load_catalog
from consentgate.observe.traces.apis import api_catalog
from consentgate.observe.traces.classify import APP, ActorKind, Classified, classify
from consentgate.observe.traces.model import EventKind, TraceEvent
from consentgate.observe.traces.sdks import build_catalog, sdk_catalog
from consentgate.observe.trackers import catalog as tracker_catalog
from consentgate.observe.trackers import tracker_of

SHORT_PERMISSIONS = {
    "location",
    "camera",
    "microphone",
    "contacts",
    "sms",
    "phone",
    "storage",
    "notifications",
    "calendar",
}
APP_PACKAGE = "com.example.shop"


def api(operation: str, description: str = "", **fields: Any) -> TraceEvent:
    return TraceEvent(where=2, kind=EventKind.API, operation=operation, description=description, **fields)


def request(host: str, **fields: Any) -> TraceEvent:
    return TraceEvent(
        where=3, kind=EventKind.REQUEST, operation=f"POST https://{host}/x", host=host, **fields
    )


def frames(*names: str) -> tuple[str, ...]:
    """A stack as camille writes it: innermost first, three spaces, `Class.method(File:line)`."""
    return tuple(f"   {name}(SourceFile:{i})" for i, name in enumerate(names, start=1))


# --- catalog integrity -----------------------------------------------------------------------------------------


def test_every_sdk_cites_its_vendor_page_and_collects_only_taxonomy_categories() -> None:
    taxonomy = set(load_catalog().categories)
    sdks = sdk_catalog()
    assert 20 <= len(sdks.sdks) <= 30
    for sdk in sdks.sdks:
        assert sdk.source.startswith("https://") or sdk.source.startswith("http://"), sdk.id
        assert set(sdk.collects) <= taxonomy, (sdk.id, set(sdk.collects) - taxonomy)
        assert sdk.kind in sdks.kinds, sdk.id
        assert sdk.prefixes, f"{sdk.id} names no package"
        assert sdk.company and sdk.name.zh and sdk.name.en, sdk.id


def test_no_package_prefix_belongs_to_two_sdks() -> None:
    owners: dict[str, str] = {}
    for sdk in sdk_catalog().sdks:
        for prefix in sdk.prefixes:
            assert prefix not in owners, f"{prefix}: {owners.get(prefix)} and {sdk.id}"
            owners[prefix] = sdk.id


def test_a_catalog_giving_one_prefix_to_two_sdks_is_refused() -> None:
    def entry(sdk_id: str) -> dict[str, Any]:
        return {
            "id": sdk_id,
            "name": {"zh": sdk_id, "en": sdk_id},
            "company": "X",
            "kind": "push",
            "prefixes": ["com.shared"],
            "source": "https://example.com",
        }

    with pytest.raises(ValueError, match=r"com\.shared"):
        build_catalog({"kinds": ["push"], "sdks": [entry("a"), entry("b")]})


def test_every_sdk_host_is_a_tracker_of_the_same_company() -> None:
    trackers = {t.domain: t for t in tracker_catalog()}
    for sdk in sdk_catalog().sdks:
        for domain in sdk.domains:
            assert domain in trackers, f"{sdk.id}: {domain} is not in trackers.yaml"
            assert trackers[domain].company.partition(" (")[0] == sdk.company, domain


def test_the_api_mapping_uses_only_taxonomy_categories_and_short_permission_names() -> None:
    taxonomy = set(load_catalog().categories)
    apis = api_catalog()
    readings = [
        *apis.apis.values(),
        *apis.content_uris.values(),
        *apis.descriptions.values(),
        *apis.operations.values(),
    ]
    assert {r.category for r in readings} - {None} <= taxonomy
    assert {r.permission for r in readings} - {None} <= SHORT_PERMISSIONS
    assert set(apis.permissions.values()) == SHORT_PERMISSIONS
    assert all(name.startswith("android.permission.") for name in apis.permissions)


# --- categories: each mapping family ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "category", "permission"),
    [
        ("android.telephony.TelephonyManager.getDeviceId", "device.identifiers", "phone"),
        ("android.telephony.TelephonyManager.getImei", "device.identifiers", "phone"),
        ("android.telephony.TelephonyManager.getSubscriberId", "device.identifiers", "phone"),
        ("android.telephony.TelephonyManager.getSimSerialNumber", "device.identifiers", "phone"),
        ("android.telephony.TelephonyManager.getLine1Number", "contact.phone", "phone"),
        ("android.provider.Settings$Secure.getString", "device.identifiers", None),
        ("android.net.wifi.WifiInfo.getMacAddress", "device.identifiers", None),
        ("java.net.NetworkInterface.getHardwareAddress", "device.identifiers", None),
        ("android.os.Build.getSerial", "device.identifiers", "phone"),
        ("android.net.wifi.WifiInfo.getBSSID", "device.info", "location"),
        ("android.location.LocationManager.getLastKnownLocation", "location.precise", "location"),
        ("android.location.LocationManager.requestLocationUpdates", "location.precise", "location"),
        ("android.content.pm.PackageManager.getInstalledPackages", "device.app-list", None),
        ("android.app.ApplicationPackageManager.queryIntentActivities", "device.app-list", None),
        ("android.content.ClipboardManager.getPrimaryClip", "device.clipboard", None),
        ("android.hardware.Camera.open", "media.camera", "camera"),
        ("android.hardware.camera2.CameraManager.openCamera", "media.camera", "camera"),
        ("android.media.AudioRecord.startRecording", "media.audio-recording", "microphone"),
        ("android.media.MediaRecorder.start", "media.audio-recording", "microphone"),
        ("android.telephony.SmsManager.sendTextMessage", "communication.records", "sms"),
    ],
)
def test_a_sensitive_api_reads_its_category_and_needs_its_permission(
    operation: str, category: str, permission: str | None
) -> None:
    classified = classify(api(operation))
    assert (classified.category, classified.permission) == (category, permission)


@pytest.mark.parametrize(
    "operation",
    [
        "TelephonyManager.getImei",  # Class.method, as a short Frida script names it
        "android.telephony.TelephonyManager.getImei(int)",  # with its argument list
        "android.telephony.TelephonyManager.getImei ",
    ],
)
def test_an_api_named_short_or_with_arguments_is_still_known(operation: str) -> None:
    assert classify(api(operation)).category == "device.identifiers"


@pytest.mark.parametrize(
    ("uri", "category", "permission"),
    [
        ("content://com.android.contacts/data/phones", "social.address-book", "contacts"),
        ("content://sms/inbox", "communication.records", "sms"),
        ("content://call_log/calls", "communication.records", "phone"),
        ("content://com.android.calendar/events", "calendar.events", "calendar"),
        ("content://media/external/images/media", "media.photos", "storage"),
    ],
)
def test_a_content_query_reads_what_its_uri_names(uri: str, category: str, permission: str) -> None:
    classified = classify(api(f"android.content.ContentResolver.query {uri}"))
    assert (classified.category, classified.permission) == (category, permission)


def test_a_content_query_on_an_unknown_provider_is_unknown() -> None:
    assert (
        classify(api("android.content.ContentResolver.query content://com.shop.cart/items")).category is None
    )


@pytest.mark.parametrize(
    ("operation", "description", "category"),
    [
        # camille's 操作行为 and 行为描述, exactly as its script.js writes them
        ("获取电话相关信息", "获取IMEI", "device.identifiers"),
        ("获取电话相关信息", "获取电话号码标识符", "contact.phone"),
        ("获取电话相关信息", "获取IMSI", "device.identifiers"),
        ("获取系统信息", "获取安卓ID", "device.identifiers"),
        ("获取系统信息", "读取剪切板信息", "device.clipboard"),
        ("获取系统信息", "获取手机通信录内容", "social.address-book"),
        ("获取网络信息", "获取Mac地址", "device.identifiers"),
        ("获取网络信息", "获取IP地址：10.0.0.8", "network.ip-address"),  # a value after the colon
        ("获取其他app信息", "APP获取了其他app信息", "device.app-list"),
        ("获取其他app信息", "getApplicationInfo获取的数据为：x", "device.app-list"),  # by its 操作行为
        ("获取位置信息", "获取位置信息", "location.precise"),
        ("调用摄像头", "调用摄像头", "media.camera"),
        ("获取麦克风", "获取麦克风", "media.audio-recording"),
    ],
)
def test_camilles_own_wording_maps_to_its_category(operation: str, description: str, category: str) -> None:
    assert classify(api(operation, description, actor="APP本身")).category == category


def test_a_camille_action_with_several_categories_says_nothing_without_its_description() -> None:
    assert classify(api("获取电话相关信息", "获取某个新字段")).category is None


def test_asking_for_a_permission_reads_nothing_and_names_the_permission_short() -> None:
    asked = classify(
        TraceEvent(where=4, kind=EventKind.PERMISSION, permission="android.permission.ACCESS_FINE_LOCATION")
    )
    assert (asked.category, asked.permission) == (None, "location")
    camille = classify(api("申请权限", '申请具体权限看"参数1"'))
    assert (camille.category, camille.permission) == (None, None)


@pytest.mark.parametrize(
    ("permission", "short"),
    [
        ("android.permission.CAMERA", "camera"),
        ("android.permission.RECORD_AUDIO", "microphone"),
        ("android.permission.READ_CONTACTS", "contacts"),
        ("android.permission.READ_SMS", "sms"),
        ("android.permission.READ_PHONE_STATE", "phone"),
        ("android.permission.READ_EXTERNAL_STORAGE", "storage"),
        ("android.permission.POST_NOTIFICATIONS", "notifications"),
        ("android.permission.READ_CALENDAR", "calendar"),
        ("camera", "camera"),  # a trace that already writes the short name
        # one request for several, as the camille reader joins them; each named once
        ("android.permission.CAMERA,android.permission.RECORD_AUDIO,camera", "camera,microphone"),
        ("com.vendor.permission.PUSH", "com.vendor.permission.PUSH"),  # kept as the trace wrote it
    ],
)
def test_permission_names_become_short_names(permission: str, short: str) -> None:
    changed = TraceEvent(where=5, kind=EventKind.PERMISSION_STATE, permission=permission, state="granted")
    assert classify(changed).permission == short


# --- actors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sdk"),
    [
        ("友盟统计分析平台", "umeng"),  # camille's name for com.umeng.analytics
        ("极光推送", "jpush"),
        ("腾讯 Bugly", "bugly"),  # spacing a trace may add
        ("个推", "getui"),
        ("jpush", "jpush"),  # the catalog id, as a JSON line may write it
        ("com.igexin.sdk.PushService", "getui"),  # a package as the actor
    ],
)
def test_the_actor_a_trace_names_is_found_by_alias_or_package(name: str, sdk: str) -> None:
    actor = classify(api("android.telephony.TelephonyManager.getImei", actor=name)).actor
    assert (actor.kind, actor.sdk) == (ActorKind.SDK, sdk)
    assert actor.company and actor.source and actor.source.startswith("http")


def test_an_sdk_only_the_trace_knows_keeps_the_traces_name_without_a_company() -> None:
    actor = classify(api("android.telephony.TelephonyManager.getImei", actor="某某统计SDK")).actor
    assert (actor.kind, actor.name, actor.company, actor.sdk) == (ActorKind.SDK, "某某统计SDK", None, None)


def test_the_innermost_sdk_frame_of_the_stack_is_the_actor() -> None:
    stack = frames(
        "android.telephony.TelephonyManager.getImei",
        "com.umeng.commonsdk.internal.utils.a.b",
        "com.umeng.commonsdk.UMConfigure.init",
        f"{APP_PACKAGE}.App.onCreate",
    )
    actor = classify(
        api("android.telephony.TelephonyManager.getImei", stack=stack), app_package=APP_PACKAGE
    ).actor
    assert actor.sdk == "umeng"


def test_an_app_frame_closer_to_the_call_than_any_sdk_makes_the_app_the_actor() -> None:
    stack = frames(
        "android.location.LocationManager.getLastKnownLocation",
        f"{APP_PACKAGE}.geo.Locator.last",
        "cn.jpush.android.service.PushReceiver.onReceive",  # the app reads inside a push callback
    )
    event = api("android.location.LocationManager.getLastKnownLocation", stack=stack)
    assert classify(event, app_package=APP_PACKAGE).actor == APP


def test_platform_frames_and_unknown_packages_are_passed_over() -> None:
    stack = frames(
        "android.net.wifi.WifiInfo.getMacAddress",
        "java.lang.reflect.Method.invoke",
        "okhttp3.internal.Util.a",  # a library nobody catalogued
        "com.tencent.bugly.crashreport.common.info.b.c",
    )
    assert classify(api("android.net.wifi.WifiInfo.getMacAddress", stack=stack)).actor.sdk == "bugly"


def test_the_longest_prefix_names_the_more_specific_sdk() -> None:
    analytics = frames("com.google.firebase.analytics.FirebaseAnalytics.getInstance")
    other = frames("com.google.firebase.messaging.FirebaseMessaging.getToken")
    assert classify(api("android.provider.Settings$Secure.getString", stack=analytics)).actor.sdk == (
        "firebase-analytics"
    )
    assert classify(api("android.provider.Settings$Secure.getString", stack=other)).actor.sdk == "firebase"


def test_an_inner_class_frame_belongs_to_its_outer_classs_sdk() -> None:
    stack = frames("com.facebook.FacebookSdk$1.call")
    assert classify(api("android.provider.Settings$Secure.getString", stack=stack)).actor.sdk == "facebook"


def test_camilles_app_itself_yields_to_an_sdk_the_stack_names() -> None:
    stack = frames("android.telephony.TelephonyManager.getSubscriberId", "com.xiaomi.push.service.a.b")
    event = api("获取电话相关信息", "获取IMSI", actor="APP本身", stack=stack)
    assert classify(event).actor.sdk == "xiaomi-push"


def test_camilles_app_itself_stands_when_the_stack_names_no_sdk() -> None:
    stack = frames("android.telephony.TelephonyManager.getSubscriberId", f"{APP_PACKAGE}.Main.onCreate")
    assert classify(api("获取电话相关信息", "获取IMSI", actor="APP本身", stack=stack)).actor == APP


def test_a_request_is_attributed_by_its_host_to_the_sdk_of_that_tracker_domain() -> None:
    actor = classify(request("tsis.jpush.cn")).actor
    assert actor.sdk == "jpush"
    tracker = tracker_of("tsis.jpush.cn")
    assert tracker is not None and tracker.company.startswith(str(actor.company))


def test_a_request_to_a_tracker_that_is_no_sdk_names_the_trackers_company() -> None:
    actor = classify(request("hm.baidu.com:443")).actor
    assert (actor.kind, actor.sdk) == (ActorKind.SDK, None)
    assert actor.company == "北京百度网讯科技有限公司" and actor.name == "Baidu Tongji"


def test_a_requests_stack_speaks_before_its_host() -> None:
    stack = frames("java.net.URL.openConnection", "com.umeng.commonsdk.statistics.a.b")
    assert classify(request("app-measurement.com", stack=stack)).actor.sdk == "umeng"


def test_a_camille_row_as_its_reader_yields_it_names_the_sdk_and_the_data() -> None:
    # The reader puts the hooked API (the stack's top frame) in `operation`, 行为描述 in `description`.
    stack = (
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.umeng.commonsdk.internal.utils.DeviceConfig.getImeiNew(SourceFile:3)",
        f"{APP_PACKAGE}.ShopApplication.onCreate(ShopApplication.java:40)",
        "android.app.Instrumentation.callApplicationOnCreate(Instrumentation.java:1192)",
    )
    row = TraceEvent(
        where=7,
        kind=EventKind.API,
        actor="APP本身",
        operation="android.telephony.TelephonyManager.getDeviceId",
        description="获取IMEI",
        stack=stack,
    )
    classified = classify(row, app_package=APP_PACKAGE)
    assert (classified.category, classified.permission) == ("device.identifiers", "phone")
    assert (classified.actor.sdk, classified.actor.company) == ("umeng", "友盟同欣（北京）科技有限公司")


# --- unknowns stay unknown -------------------------------------------------------------------------------------


def test_an_api_nobody_mapped_has_no_category() -> None:
    assert classify(api("com.example.Secret.read")).category is None


def test_an_event_that_names_no_actor_and_no_stack_has_an_unknown_actor() -> None:
    assert classify(api("android.telephony.TelephonyManager.getImei")).actor.kind is ActorKind.UNKNOWN


def test_a_request_to_a_host_nobody_catalogued_has_an_unknown_actor() -> None:
    assert classify(request("api.shop.example")).actor.kind is ActorKind.UNKNOWN


def test_a_stack_of_platform_and_unknown_frames_names_nobody() -> None:
    stack = frames("android.telephony.TelephonyManager.getImei", "a.b.c.d", "okhttp3.Call.execute")
    assert (
        classify(api("android.telephony.TelephonyManager.getImei", stack=stack)).actor.kind
        is ActorKind.UNKNOWN
    )


def test_an_unknown_package_is_the_apps_only_when_the_apps_package_says_so() -> None:
    event = api("android.telephony.TelephonyManager.getImei", actor=f"{APP_PACKAGE}.tracking")
    assert classify(event).actor.kind is ActorKind.UNKNOWN
    assert classify(event, app_package=APP_PACKAGE).actor == APP
    assert classify(event, app_package="com.other.app").actor.kind is ActorKind.SDK


def test_the_same_event_under_another_app_package_is_classified_afresh() -> None:
    stack = frames("android.telephony.TelephonyManager.getImei", f"{APP_PACKAGE}.A.b")
    event = api("android.telephony.TelephonyManager.getImei", stack=stack)
    first: Classified = classify(event, app_package=APP_PACKAGE)
    assert first.actor == APP
    assert classify(event).actor.kind is ActorKind.UNKNOWN
    assert classify(event, app_package=APP_PACKAGE) == first


@pytest.mark.parametrize(
    "kind", [EventKind.CONSENT, EventKind.REFUSAL, EventKind.WITHDRAWAL, EventKind.REQUEST]
)
def test_events_that_read_nothing_on_the_device_get_no_category(kind: EventKind) -> None:
    event = TraceEvent(where=6, kind=kind, operation="android.telephony.TelephonyManager.getImei")
    assert classify(event).category is None
