"""The trace examples in `examples/traces/`, written by the same writers the tests use.

`python -m tests.observe.traces.examples examples/traces` writes them again; `test_examples.py` checks
the committed files still read to exactly what these rows say, so the README's commands keep running on
real camille, HAR and JSON-lines files.

The app: 示例阅读 (com.example.reader). Before the person agrees to its privacy policy, the Umeng SDK reads
the IMEI and the Android ID and JPush reads the list of installed apps; after agreeing, the app itself
asks for location and reads it. Its declared manifest (`app.yaml`) names Umeng, not JPush.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

from tests.observe.traces.writers import (
    CamilleRow,
    HarRequest,
    camille_stack,
    camille_time,
    write_camille,
    write_har,
    write_jsonl,
)

T0 = datetime(2026, 3, 1, 10, 0, 0)  # camille writes the device's local time without a zone
APP = "com.example.reader"

_UMENG_IMEI = camille_stack(
    [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:120)",
        f"{APP}.ReaderApp.onCreate(ReaderApp.java:31)",
    ]
)
_UMENG_ANDROID_ID = camille_stack(
    [
        "android.provider.Settings$Secure.getString(Native Method)",
        "com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:88)",
        f"{APP}.ReaderApp.onCreate(ReaderApp.java:31)",
    ]
)
_JPUSH_APPS = camille_stack(
    [
        "android.app.ApplicationPackageManager.getInstalledPackages(Native Method)",
        "cn.jiguang.internal.JCoreHelper.packages(JCoreHelper.java:54)",
        f"{APP}.ReaderApp.onCreate(ReaderApp.java:35)",
    ]
)
_APP_LOCATION = camille_stack(
    [
        "android.location.LocationManager.getLastKnownLocation(Native Method)",
        f"{APP}.nearby.NearbyShelf.locate(NearbyShelf.java:12)",
    ]
)
_APP_ASKS = camille_stack(
    [
        "android.app.Activity.requestPermissions(Native Method)",
        f"{APP}.nearby.NearbyShelf.ask(NearbyShelf.java:9)",
    ]
)

DECLARED = """\
# The declared manifest of 示例阅读, for `consentgate observe ... --against app.yaml` (examples/traces).
app: {name: 示例阅读, type: other, basic_service: 在线阅读, necessary_data: [device.identifiers]}
data:
  - {id: device-id, category: device.identifiers}
  - {id: location, category: location.precise}
purposes:
  - {id: reading, kind: basic-function, basis: contract-necessity, data: [device-id]}
  - {id: nearby, kind: add-on, basis: separate-consent, data: [location], recipients: [umeng]}
recipients:
  - {id: umeng, name: 友盟同欣（北京）科技有限公司, label: {zh: 友盟+, en: Umeng+}, kind: sdk}
"""


def _row(seconds: int, action: str, messages: str, stacks: str, actor: str, *, before: bool) -> CamilleRow:
    return CamilleRow(
        privacy_policy_status="同意隐私政策前" if before else "同意隐私政策后",
        alert_time=camille_time(T0 + timedelta(seconds=seconds)),
        subject_type=actor,
        action=action,
        messages=messages,
        stacks=stacks,
    )


def camille_rows() -> list[CamilleRow]:
    return [
        _row(1, "获取电话相关信息", "获取IMEI", _UMENG_IMEI, "友盟+", before=True),
        _row(1, "获取设备信息", "获取安卓ID", _UMENG_ANDROID_ID, "友盟+", before=True),
        _row(2, "获取其他app信息", "获取已安装的应用信息", _JPUSH_APPS, "极光推送", before=True),
        _row(3, "获取电话相关信息", "获取IMEI", _UMENG_IMEI, "友盟+", before=True),
        _row(40, "申请权限", "申请权限", _APP_ASKS, "APP本身", before=False),
        _row(45, "获取位置信息", "获取上次定位的位置信息", _APP_LOCATION, "APP本身", before=False),
    ]


def har_requests() -> list[HarRequest]:
    return [
        HarRequest(
            started="2026-03-01T10:00:02.000+08:00",
            url="https://ulogs.umeng.com/unify_logs",
            method="POST",
            body='{"imei": "860000000000000", "oaid": "0000"}',
        ),
        HarRequest(started="2026-03-01T10:00:30.000+08:00", url="https://reader.example.com/api/agree"),
        HarRequest(started="2026-03-01T10:00:31.000+08:00", url="https://reader.example.com/api/shelf"),
    ]


def jsonl_lines() -> list[dict[str, object]]:
    return [
        {
            "time": "2026-03-01T10:00:00+08:00",
            "kind": "api",
            "actor": "友盟+",
            "api": "android.telephony.TelephonyManager.getDeviceId",
        },
        {"time": "2026-03-01T10:00:05+08:00", "kind": "consent"},
    ]


def write_examples(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_camille(folder / "camille-export.xls", camille_rows())
    write_camille(folder / "camille-old-export.xls", camille_rows(), layout="2022-06")
    write_har(folder / "capture.har", har_requests())
    write_jsonl(folder / "trace.jsonl", jsonl_lines())
    (folder / "app.yaml").write_text(DECLARED, "utf-8")


if __name__ == "__main__":
    write_examples(Path(sys.argv[1] if len(sys.argv) > 1 else "examples/traces"))
