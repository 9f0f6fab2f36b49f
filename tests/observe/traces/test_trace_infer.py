"""From a trace's timeline to the manifest the rules judge: what each tally becomes, unknown where the trace
is silent, evidence that cites the rows, drift against a declared manifest, and rules that divide the work
so that no record is reported twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from consentgate.audit.findings import Finding
from consentgate.manifest.loader import parse_manifest
from consentgate.observe.infer import Inferred, judge
from consentgate.observe.traces.infer import drift, infer_trace
from consentgate.observe.traces.model import EventKind, TraceEvent
from consentgate.observe.traces.timeline import fold
from tests.observe.traces.test_timeline import IMEI, moment, read_imei

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
UMENG = "友盟同欣（北京）科技有限公司"
SOURCE = "camille.xls"


def inferred(events: list[TraceEvent], declared: str | None = None, **fold_options: Any) -> Inferred:
    manifest = parse_manifest(declared, "app.yaml").manifest if declared is not None else None
    return infer_trace(fold(events, **fold_options), source=SOURCE, declared=manifest)


def records(result: Inferred, section: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in result.manifest.get("conduct", {}).get(section, [])}


def rule_ids(findings: list[Finding], *, unconfirmed: bool = False) -> set[str]:
    return {f.rule_id for f in findings if f.unconfirmed == unconfirmed}


SDK_BEFORE_CONSENT = [
    read_imei(2, at=T0),
    read_imei(3, at=T0),
    moment(4, EventKind.CONSENT, T0 + timedelta(1)),
]


def test_an_sdk_reading_identifiers_before_consent_is_a_collection_by_its_company() -> None:
    result = inferred(SDK_BEFORE_CONSENT)
    (record,) = records(result, "collections").values()
    assert record == {
        "id": "umeng-device-identifiers-before",
        "data": ["device-identifiers"],
        "before_consent": True,
        "after_refusal": False,
        "by": "umeng",
        "peak_per_minute": 2,
    }
    assert result.manifest["recipients"] == [{"id": "umeng", "name": UMENG, "kind": "sdk"}]
    assert result.manifest["app"]["type"] == "other" and result.manifest["as_of"] == "2026-03-01"


def test_evidence_cites_the_file_and_rows() -> None:
    result = inferred(SDK_BEFORE_CONSENT)
    refs = result.evidence["/conduct/collections/umeng-device-identifiers-before"]
    assert [(r.walk, r.seq, r.kind.value) for r in refs] == [(SOURCE, 2, "trace"), (SOURCE, 3, "trace")]
    assert IMEI in refs[0].description.en and "第 2 行" in refs[0].description.zh


def test_the_sdk_rule_reports_the_sdk_and_the_collection_rule_stays_with_the_apps_own() -> None:
    events = [
        read_imei(2, at=T0),
        read_imei(3, at=T0, sdk=False),
        moment(4, EventKind.CONSENT, T0 + timedelta(1)),
    ]
    findings = judge(inferred(events))
    by_rule = {f.rule_id: f.location.pointer for f in findings if not f.unconfirmed}
    assert (
        by_rule["CG-AVIM-053-SDK-WITHOUT-CONSENT"]
        == "/conduct/collections/umeng-device-identifiers-before/before_consent"
    )
    assert (
        by_rule["CG-AVIM-031-COLLECTED-BEFORE-CONSENT"]
        == "/conduct/collections/app-device-identifiers-before/before_consent"
    )
    sdk_record = [
        f for f in findings if "umeng-device-identifiers-before" in f.location.pointer and not f.unconfirmed
    ]
    assert [f.rule_id for f in sdk_record] == ["CG-AVIM-053-SDK-WITHOUT-CONSENT"]
    assert findings[0].evidence and findings[0].evidence[0].walk == SOURCE


def test_without_a_consent_moment_before_consent_is_left_unknown_and_nothing_is_a_violation() -> None:
    result = inferred([read_imei(2, at=T0), read_imei(3, at=T0, sdk=False)])
    for record in records(result, "collections").values():
        assert "before_consent" not in record and "after_refusal" not in record
    assert "--consent-at" in result.unfinished[0].en
    findings = judge(result)
    assert rule_ids(findings) == set()
    assert {"CG-AVIM-053-SDK-WITHOUT-CONSENT", "CG-AVIM-031-COLLECTED-BEFORE-CONSENT"} <= rule_ids(
        findings, unconfirmed=True
    )


def test_polling_an_identifier_every_second_is_frequent_collection_with_its_measure() -> None:
    polled = [read_imei(i, at=T0 + timedelta(seconds=i % 60)) for i in range(1, 121)]
    findings = judge(inferred([moment(0, EventKind.CONSENT, T0 - timedelta(1)), *polled]))
    (frequent,) = [f for f in findings if f.rule_id == "CG-AVIM-044-FREQUENT-COLLECTION"]
    assert "120" in frequent.message.en and "60" in frequent.message.en and UMENG in frequent.message.zh
    assert frequent.severity.value == "medium"


def test_a_trace_without_times_writes_the_peak_as_unknown() -> None:
    result = inferred([moment(1, EventKind.CONSENT), read_imei(2)])
    (record,) = records(result, "collections").values()
    assert record["peak_per_minute"] == "unknown"
    findings = judge(result)
    assert "CG-AVIM-044-FREQUENT-COLLECTION" in rule_ids(findings, unconfirmed=True)


def test_data_an_sdk_sends_is_a_provision_to_it_judged_by_the_sent_before_consent_rule() -> None:
    beacon = TraceEvent(
        where=5,
        kind=EventKind.REQUEST,
        time=T0,
        operation="POST https://alog.umeng.com/app_logs?oaid=",
        host="alog.umeng.com",
        sent=("oaid",),
    )
    result = inferred([beacon, moment(6, EventKind.CONSENT, T0 + timedelta(1))])
    assert records(result, "provisions") == {
        "umeng-device-identifiers-sent-before": {
            "id": "umeng-device-identifiers-sent-before",
            "recipient": "umeng",
            "data": ["device-identifiers"],
            "before_consent": True,
        }
    }
    assert "CG-AVIM-031-SENT-BEFORE-CONSENT" in rule_ids(judge(result))


def test_permission_asks_and_settings_changed_without_the_person_become_conduct() -> None:
    ask = TraceEvent(
        where=1,
        kind=EventKind.PERMISSION,
        time=T0,
        actor="APP本身",
        permission="android.permission.ACCESS_FINE_LOCATION",
    )
    reset = TraceEvent(
        where=3,
        kind=EventKind.PERMISSION_STATE,
        permission="android.permission.ACCESS_FINE_LOCATION",
        state="granted",
        by_person=False,
    )
    result = inferred([ask, moment(2, EventKind.CONSENT, T0 + timedelta(1)), reset])
    assert list(records(result, "permissions").values()) == [
        {
            "id": "app-ask-location-before",
            "permission": "location",
            "before_consent": True,
            "after_refusal": False,
        }
    ]
    (change,) = records(result, "setting_changes").values()
    assert (change["setting"], change["found"], change["by_person"]) == ("location", "granted", False)
    assert "CG-AVIM-031-PERMISSION-BEFORE-CONSENT" in rule_ids(judge(result))


DECLARED = """
app: {name: 示例应用, type: other, basic_service: 在线阅读, necessary_data: [device.identifiers]}
data: [{id: device-identifiers, category: device.identifiers}]
purposes:
  - {id: reading, kind: basic-function, basis: contract-necessity, data: [device-identifiers]}
recipients: []
"""


def test_against_a_declaration_an_sdk_it_does_not_name_is_drift() -> None:
    after = [moment(1, EventKind.CONSENT, T0 - timedelta(1)), read_imei(2, at=T0)]
    result = inferred(after, DECLARED)
    provision = records(result, "provisions")["umeng-device-identifiers-after-to"]
    assert (provision["recipient"], provision["despite"], provision["before_consent"]) == (
        "umeng",
        "none",
        False,
    )
    assert records(result, "collections")["umeng-device-identifiers-after"]["data"] == ["device-identifiers"]
    assert "CG-PIPL-023-PROVISION-DESPITE-REFUSAL" in rule_ids(judge(result))


def test_against_a_declaration_that_names_the_sdk_its_own_recipient_id_is_used() -> None:
    declared = DECLARED.replace("recipients: []", f"recipients: [{{id: stats, name: {UMENG}, kind: sdk}}]")
    result = inferred([moment(1, EventKind.CONSENT, T0 - timedelta(1)), read_imei(2, at=T0)], declared)
    assert [r["id"] for r in result.manifest["recipients"]] == ["stats"]
    assert records(result, "collections")["umeng-device-identifiers-after"]["by"] == "stats"


def test_drift_alone_lists_only_the_drift_rules_findings_with_rows_as_evidence() -> None:
    declared = parse_manifest(DECLARED, "app.yaml").manifest
    timeline = fold(
        [moment(1, EventKind.CONSENT, T0 - timedelta(1)), read_imei(2, at=T0), read_imei(3, at=T0)]
    )
    findings = drift(timeline, declared, source=SOURCE)
    assert [f.rule_id for f in findings if not f.unconfirmed] == ["CG-PIPL-023-PROVISION-DESPITE-REFUSAL"]
    assert [e.seq for e in findings[0].evidence if e.kind == "trace"][:2] == [2, 3]
