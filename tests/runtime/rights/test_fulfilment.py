"""Carrying requests out on a real Engine (SQLite and PostgreSQL): copy, correct, delete, restrict, withdraw.

The deletion proof scans every table (and, on SQLite, every byte of every file the store wrote) for
the person's values after the erasure, and checks that the audit chain still verifies.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import LargeBinary, String, cast, select
from sqlalchemy.engine import make_url

from consentgate.cli.auditlog_cmd import verify_database
from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.rights.errors import BadRightsDetails, IllegalRightsTransition, NoExport
from consentgate.runtime.rights.schemas import RequestStatus, RightsKind
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.schemas import NotificationReason
from consentgate.store.tables import all_tables
from tests.runtime.conftest import SEED_FIXED

LESSONS = Path(__file__).parents[3] / "examples" / "demo-app" / "lessons.yaml"
PERSON = "luo-xiaoming-7731"
# Values only this person has: none may be readable anywhere after the erasure.
VALUES = {
    "phone": "13912345678",
    "orders": "ORDER-LXM-20240117",
    "occupation": "同声传译员甲",
    "learning-goal": "雅思八分冲刺",
    "english-level": "CEFR-C1-LXM",
    "english-name": "Marvin Luo Xiaoming",
}
TAG = "高阶口译画像标签"


@pytest.fixture
def sink() -> InMemorySink:
    return InMemorySink()


@pytest.fixture
def engine(database_url: str, sink: InMemorySink) -> Iterator[Engine]:
    with Engine.from_manifest(
        SEED_FIXED,
        create=True,
        database_url=database_url,
        clock=FakeClock(),
        ids=SequentialIds("f"),
        catalog=LESSONS,
        sharing_sink=sink,
    ) as built:
        yield built


def _give_everything(engine: Engine, subject: str = PERSON) -> None:
    """A person who consented to everything and whose data went everywhere it may go."""
    engine.consent.register_subject(subject)
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    version = {"notice_id": notice.notice_id, "notice_version": notice.version}
    push = engine.consent.give(subject, "personalized-push", **version)
    engine.consent.give(subject, "certificates", **version)
    sms = engine.consent.give(subject, "marketing-sms", **version)
    for recipient in ("affiliate-app-a", "affiliate-app-b"):
        engine.consent.give(
            subject, "share-affiliates", recipient=recipient, mechanism=Mechanism.SEPARATE, **version
        )
    profiles = engine.profiles
    profiles.set(subject, "phone", VALUES["phone"], purposes=["online-courses"], consent_event_id=None)
    profiles.set(subject, "orders", [VALUES["orders"]], purposes=["online-courses"], consent_event_id=None)
    sources = [
        profiles.set(
            subject, item, VALUES[item], purposes=["personalized-push"], consent_event_id=push.event_id
        )
        for item in ("occupation", "learning-goal", "english-level")
    ]
    profiles.set(
        subject, "english-name", VALUES["english-name"], purposes=["certificates"], consent_event_id=None
    )
    profiles.derive(
        subject,
        "profile-tags",
        [TAG],
        derived_from=[a.attribute_id for a in sources],
        purposes=["personalized-push"],
    )
    assert engine.gate.decide(subject, "marketing-sms", "phone", None).consent_event_id == sms.event_id
    engine.sharing.transfer(subject, "share-affiliates", "affiliate-app-a", ["phone", "orders"])
    engine.messaging.register_address(subject, "sms", VALUES["phone"])
    engine.auditlog.flush()


def _verified(engine: Engine, kind: str, **details: object) -> str:
    request = engine.rights.request(PERSON, kind, details=details or None)
    engine.rights.verify_identity(request.request_id)
    return request.request_id


def _everything_stored(engine: Engine) -> str:
    """Every column of every row of every table, as text; binary columns (a copy's zip) unpacked."""
    texts: list[str] = []
    with engine.database.reading() as session:
        for table in all_tables().sorted_tables:
            columns = [c if isinstance(c.type, LargeBinary) else cast(c, String) for c in table.columns]
            for row in session.execute(select(*columns)):
                texts.extend(_readable(value) for value in row if value is not None)
    return "\n".join(texts)


def _readable(value: object) -> str:
    if not isinstance(value, bytes | memoryview):
        return str(value)
    content = bytes(value)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    except zipfile.BadZipFile:
        return content.decode("utf-8", "replace")


def _files_written(engine: Engine) -> bytes:
    url = make_url(engine.database.url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return b""
    base = Path(url.database)
    return b"".join(p.read_bytes() for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists())


def test_a_copy_holds_every_kind_of_data_in_json_csv_and_a_readable_summary(engine: Engine) -> None:
    _give_everything(engine)
    request_id = _verified(engine, "copy")

    done = engine.rights.fulfil(request_id)

    assert done.status is RequestStatus.DONE
    archive = zipfile.ZipFile(io.BytesIO(engine.rights.export(request_id)))
    document = json.loads(archive.read("data.json"))
    sections = {s["key"]: s["rows"] for s in document["sections"]}
    assert {r["data"]: r["value"] for r in sections["attributes"]}["occupation"] == VALUES["occupation"]
    (tag,) = sections["tags"]
    assert tag["value"] == [TAG] and set(tag["derived_from"]) == {
        "occupation",
        "learning-goal",
        "english-level",
    }
    consents = {(r["purpose"], r["recipient"]): r for r in sections["consents"]}
    assert consents["personalized-push", None]["notice_version"] == "2024-01"
    assert any(r["purpose"] == "marketing-sms" for r in sections["decisions"])
    assert [(t["recipient"], sorted(t["fields"])) for t in sections["transfers"]] == [
        ("affiliate-app-a", ["orders", "phone"])
    ]
    assert {r["kind"] for r in sections["requests"]} == {"copy"}
    names = set(archive.namelist())
    assert {"data.json", "attributes.csv", "tags.csv", "summary.zh.html", "summary.en.html"} <= names
    assert VALUES["occupation"] in archive.read("summary.zh.html").decode()
    assert "您提供的信息" in archive.read("summary.zh.html").decode()
    assert "What you told us" in archive.read("summary.en.html").decode()


def test_only_a_verified_request_is_carried_out(engine: Engine) -> None:
    _give_everything(engine)
    request = engine.rights.request(PERSON, "delete")
    with pytest.raises(IllegalRightsTransition):
        engine.rights.fulfil(request.request_id)
    assert engine.gate.decide(PERSON, "online-courses", "phone").allowed  # nothing was erased


def test_after_a_delete_no_value_of_the_person_is_readable_anywhere_and_the_chain_verifies(
    engine: Engine, sink: InMemorySink
) -> None:
    _give_everything(engine)
    copy_id = _verified(engine, "copy")
    engine.rights.fulfil(copy_id)  # an export now holds every value too
    correction = engine.rights.request(PERSON, "correct", details={"data": "occupation", "value": "口译员乙"})
    before = _everything_stored(engine)
    assert VALUES["occupation"] in before and PERSON in before  # the scan does see them while held

    done = engine.rights.fulfil(_verified(engine, "delete"))
    engine.auditlog.flush()

    assert done.status is RequestStatus.DONE
    stored, files = _everything_stored(engine), _files_written(engine)
    assert files or engine.database.dialect != "sqlite"  # on SQLite the bytes on disk are scanned too
    for value in [PERSON, "口译员乙", TAG, *VALUES.values()]:
        assert value not in stored, value
        assert value.encode() not in files, value
    assert engine.auditlog.verify().ok
    assert verify_database(engine.database.url, engine.tenant).ok  # what `consentgate auditlog verify` runs
    with pytest.raises(UnknownSubject):
        engine.gate.decide(PERSON, "online-courses", "phone")
    with pytest.raises(NoExport):
        engine.rights.export(copy_id)
    assert engine.rights.get(correction.request_id).status is RequestStatus.DONE  # closed by the erasure
    # Every recipient that received data was told to delete it.
    assert [(n.recipient, n.reason) for n in sink.notices] == [
        ("affiliate-app-a", NotificationReason.DELETION)
    ]
    certificate = engine.rights.certificate(done.request_id)
    assert certificate.subject_ref == done.subject and certificate.kind == "delete"
    assert (
        certificate.erased["profile_attributes"] == 7
    )  # six typed, one tag and certificate.erased["subjects"] == 1
    assert certificate.erased["rights_exports"] == 1
    assert [t.recipient for t in certificate.recipients_notified] == ["affiliate-app-a"]
    assert {k.what for k in certificate.kept} >= {"consent_events", "audit_records"}
    # The proofs survive under the former ref, which only the certificate's holder can name.
    assert len(engine.auditlog.records_naming(certificate.subject_ref)) > 5


def test_the_person_can_come_back_as_someone_new(engine: Engine) -> None:
    _give_everything(engine)
    old = engine.rights.fulfil(_verified(engine, "cancel-account"))
    engine.consent.register_subject(PERSON)
    assert engine.consent.ref(PERSON) != old.subject
    assert engine.consent.facts(PERSON) == {}  # no consent of the erased account carries over
    assert not engine.gate.decide(PERSON, "marketing-sms", "phone").allowed


def test_a_restriction_denies_every_purpose_on_the_next_call_until_lifted(engine: Engine) -> None:
    _give_everything(engine)
    assert engine.gate.decide(PERSON, "marketing-sms", "phone").allowed
    engine.rights.fulfil(_verified(engine, "restrict"))

    for purpose in engine.policy.purposes:
        decision = engine.gate.decide(PERSON, purpose, ())
        assert (decision.allowed, decision.reason_code) == (False, ReasonCode.RESTRICTED), purpose
    assert engine.profiles.read(PERSON, "personalized-push") == {}
    assert engine.consent.restricted(PERSON)

    assert engine.rights.lift_restriction(PERSON)
    assert engine.gate.decide(PERSON, "marketing-sms", "phone").allowed
    assert not engine.rights.lift_restriction(PERSON)  # nothing left to lift


def test_withdraw_all_ends_every_consent_on_the_next_call(engine: Engine, sink: InMemorySink) -> None:
    _give_everything(engine)
    engine.rights.fulfil(_verified(engine, "withdraw-all"))

    for purpose in engine.policy.purposes.values():
        if purpose.needs_consent:
            assert not engine.gate.decide(PERSON, purpose.id, ()).allowed, purpose.id
    # Contract necessity never rested on consent (PIPL 13(2)): withdrawing consent does not stop it;
    # restrict or cancel-account does.
    assert engine.gate.decide(PERSON, "online-courses", "phone").allowed
    assert {n.reason for n in sink.notices} == {NotificationReason.WITHDRAWAL}


def test_a_correction_reaches_the_profile_its_tags_and_the_recipients(
    engine: Engine, sink: InMemorySink
) -> None:
    _give_everything(engine)
    request_id = _verified(engine, "correct", data="phone", value="13800001111")

    done = engine.rights.fulfil(request_id)

    assert done.details == {"data": "phone", "outcome": {"recomputed": [], "dropped": []}}  # no value kept
    assert engine.profiles.read(PERSON, "online-courses")["phone"] == "13800001111"
    assert [(n.recipient, n.reason) for n in sink.notices] == [
        ("affiliate-app-a", NotificationReason.CORRECTION)
    ]


def test_a_correction_drops_the_tags_computed_from_the_old_value(engine: Engine) -> None:
    _give_everything(engine)
    done = engine.rights.fulfil(_verified(engine, "correct", data="occupation", value="教师"))
    assert done.details["outcome"] == {"recomputed": [], "dropped": ["profile-tags"]}
    held = {a.data_id: a.value for a in engine.profiles.attributes(PERSON)}
    assert held["occupation"] == "教师" and "profile-tags" not in held


def test_a_correction_without_the_new_value_is_refused_at_receipt(engine: Engine) -> None:
    _give_everything(engine)
    with pytest.raises(BadRightsDetails) as error:
        engine.rights.request(PERSON, RightsKind.CORRECT, details={"data": "phone"})
    assert "value" in error.value.text.zh and "value" in error.value.text.en


def test_with_a_deriver_a_correction_recomputes_the_tag_instead_of_dropping_it(database_url: str) -> None:
    def tags(sources: Mapping[str, Any]) -> list[str]:
        return [f"{sources['occupation']}-画像"]

    with Engine.from_manifest(
        SEED_FIXED,
        create=True,
        database_url=database_url,
        clock=FakeClock(),
        ids=SequentialIds("d"),
        derivers={"profile-tags": tags},
    ) as engine:
        _give_everything(engine)
        done = engine.rights.fulfil(_verified(engine, "correct", data="occupation", value="教师"))
        assert done.details["outcome"] == {"recomputed": ["profile-tags"], "dropped": []}
        held = {a.data_id: a.value for a in engine.profiles.attributes(PERSON)}
        assert held["profile-tags"] == ["教师-画像"]


def test_many_erasures_go_in_one_batch_each_with_its_own_certificate(engine: Engine) -> None:
    people = [f"batch-{n}" for n in range(5)]
    requests = []
    for n, person in enumerate(people):
        engine.consent.register_subject(person)
        for item in ("phone", "orders")[: n % 2 + 1]:
            engine.profiles.set(
                person, item, f"{item}-{person}", purposes=["online-courses"], consent_event_id=None
            )
        kinds = ["delete", "cancel-account"] if n == 0 else ["delete"]  # batch-0 asked twice
        requests += [engine.rights.request(person, kind) for kind in kinds]
    copy = engine.rights.request(people[1], "copy")  # carried out on its own, before the erasures
    for request in [*requests, copy]:
        engine.rights.verify_identity(request.request_id)

    done = engine.rights.fulfil_many([r.request_id for r in [*requests, copy]], batch=3)

    assert [d.status for d in done] == [RequestStatus.DONE] * len(done)
    stored = _everything_stored(engine)
    for person in people:
        assert person not in stored and f"phone-{person}" not in stored
    certificates = {
        engine.rights.certificate(r.request_id).subject_ref: engine.rights.certificate(r.request_id)
        for r in requests
        if r.kind is not RightsKind.CANCEL_ACCOUNT
    }
    assert len(certificates) == len(people)  # one each, under distinct refs
    assert sorted(c.erased["profile_attributes"] for c in certificates.values()) == [1, 1, 1, 2, 2]
    assert engine.auditlog.verify().ok
