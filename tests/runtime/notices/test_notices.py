"""Publishing notices: content hashes, material vs editorial changes, acceptable versions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pytest

from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.notices.errors import NoticeVersionConflict
from consentgate.runtime.notices.schemas import ChangeKind, NoticeVersion
from consentgate.runtime.notices.service import NoticeService, content_hash
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from consentgate.text import Text

TEXT = Text(zh="个人信息处理规则", en="Personal information processing rules")
PURPOSES = ("personalized-push", "marketing-sms", "share-affiliates")
DATA = ("occupation", "learning-goal", "english-level", "school-stage", "profile-tags", "phone", "orders")
RECIPIENTS = ("affiliate-app-a", "affiliate-app-b")


def publish(
    notices: NoticeService,
    version: str,
    *,
    text: Text = TEXT,
    purposes: Iterable[str] = PURPOSES,
    data: Iterable[str] = DATA,
    recipients: Iterable[str] = RECIPIENTS,
    notice_id: str = "privacy-policy",
) -> NoticeVersion:
    return notices.publish(notice_id, version, text=text, purposes=purposes, data=data, recipients=recipients)


def pairs(*versions: str) -> frozenset[tuple[str, str]]:
    return frozenset(("privacy-policy", v) for v in versions)


def test_the_first_version_is_initial_and_acceptable_for_its_purposes(notices: NoticeService) -> None:
    first = publish(notices, "v1")
    assert first.change is ChangeKind.INITIAL
    assert first.previous_version is None
    assert notices.current("privacy-policy") == first
    assert notices.acceptable_versions() == {p: pairs("v1") for p in PURPOSES}


def test_a_wording_change_is_editorial_and_keeps_earlier_consents_live(notices: NoticeService) -> None:
    publish(notices, "v1")
    second = publish(notices, "v1.1", text=Text(zh="个人信息处理规则（修订）", en="Rules (reworded)"))
    assert second.change is ChangeKind.EDITORIAL
    assert second.affected_purposes == frozenset()
    assert second.previous_version == "v1"
    assert notices.acceptable_versions()["personalized-push"] == pairs("v1", "v1.1")


def test_dropping_a_data_item_is_material_for_the_purposes_that_process_it(notices: NoticeService) -> None:
    publish(notices, "v1")
    second = publish(notices, "v2", data=[d for d in DATA if d != "phone"])
    assert second.change is ChangeKind.MATERIAL
    # phone is processed by marketing-sms and share-affiliates, not by personalized-push.
    assert second.affected_purposes == {"marketing-sms", "share-affiliates"}
    acceptable = notices.acceptable_versions()
    assert acceptable["marketing-sms"] == pairs("v2")
    assert acceptable["share-affiliates"] == pairs("v2")
    assert acceptable["personalized-push"] == pairs("v1", "v2")


def test_a_recipient_change_is_material_for_the_sharing_purpose_only(notices: NoticeService) -> None:
    publish(notices, "v1")
    second = publish(notices, "v2", recipients=["affiliate-app-a"])
    assert second.change is ChangeKind.MATERIAL
    assert second.affected_purposes == {"share-affiliates"}
    assert notices.acceptable_versions()["share-affiliates"] == pairs("v2")
    assert notices.acceptable_versions()["marketing-sms"] == pairs("v1", "v2")


def test_adding_a_purpose_is_material_for_that_purpose(notices: NoticeService) -> None:
    publish(notices, "v1", purposes=["marketing-sms"])
    second = publish(notices, "v2", purposes=["marketing-sms", "certificates"])
    assert second.change is ChangeKind.MATERIAL
    assert second.affected_purposes == {"certificates"}
    acceptable = notices.acceptable_versions()
    assert acceptable["certificates"] == pairs("v2")
    assert acceptable["marketing-sms"] == pairs("v1", "v2")


def test_removing_a_purpose_leaves_no_acceptable_version_for_it(notices: NoticeService) -> None:
    publish(notices, "v1")
    second = publish(notices, "v2", purposes=["marketing-sms", "share-affiliates"])
    assert second.affected_purposes == {"personalized-push"}
    assert "personalized-push" not in notices.acceptable_versions()


def test_without_a_policy_a_data_change_affects_every_purpose_of_the_notice(
    bare_notices: NoticeService,
) -> None:
    publish(bare_notices, "v1")
    second = publish(bare_notices, "v2", data=[d for d in DATA if d != "phone"])
    assert second.change is ChangeKind.MATERIAL
    assert second.affected_purposes == set(PURPOSES)
    assert all(v == pairs("v2") for v in bare_notices.acceptable_versions().values())


def test_an_earlier_material_change_still_bounds_later_editorial_ones(notices: NoticeService) -> None:
    publish(notices, "v1")
    publish(notices, "v2", recipients=["affiliate-app-a"])
    publish(notices, "v2.1", recipients=["affiliate-app-a"], text=Text(zh="措辞", en="wording"))
    assert notices.acceptable_versions()["share-affiliates"] == pairs("v2", "v2.1")
    assert notices.acceptable_versions()["marketing-sms"] == pairs("v1", "v2", "v2.1")


def test_two_notices_covering_one_purpose_are_both_acceptable(notices: NoticeService) -> None:
    publish(notices, "v1", purposes=["marketing-sms"])
    publish(notices, "2024", purposes=["marketing-sms"], notice_id="sms-terms")
    assert notices.acceptable_versions()["marketing-sms"] == {("privacy-policy", "v1"), ("sms-terms", "2024")}


def test_publishing_the_same_version_again_is_idempotent(notices: NoticeService, audit: AuditLog) -> None:
    first = publish(notices, "v1")
    again = publish(notices, "v1", purposes=reversed(PURPOSES), data=sorted(DATA))
    assert again == first
    assert notices.versions() == [first]
    assert [r.kind for r in audit.records()] == ["notice.published"]


def test_publishing_other_content_under_a_published_version_is_a_typed_error(
    notices: NoticeService, audit: AuditLog
) -> None:
    first = publish(notices, "v1")
    with pytest.raises(NoticeVersionConflict) as caught:
        publish(notices, "v1", text=Text(zh="另一份规则", en="Other rules"))
    assert caught.value.code == "runtime.notice_version_conflict"
    assert "v1" in caught.value.text.zh and "v1" in caught.value.text.en
    assert notices.versions() == [first]
    assert len(audit.records()) == 1


def test_the_content_hash_is_sha256_of_the_canonical_content(notices: NoticeService) -> None:
    published = publish(notices, "v1")
    assert len(published.content_hash) == 64
    assert published.content_hash == content_hash(
        "privacy-policy", TEXT, reversed(PURPOSES), DATA, RECIPIENTS
    )
    canonical = (
        '{"data":["english-level","learning-goal","occupation","orders","phone","profile-tags","school-stage"],'
        '"notice":"privacy-policy","purposes":["marketing-sms","personalized-push","share-affiliates"],'
        '"recipients":["affiliate-app-a","affiliate-app-b"],'
        '"text":{"en":"Personal information processing rules","zh":"个人信息处理规则"}}'
    )
    assert published.content_hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    reworded = content_hash("privacy-policy", Text(zh="规则", en="rules"), PURPOSES, DATA, RECIPIENTS)
    assert reworded != published.content_hash


def test_a_publication_is_audited_with_its_classification(notices: NoticeService, audit: AuditLog) -> None:
    publish(notices, "v1")
    publish(notices, "v2", recipients=["affiliate-app-a"])
    records = audit.records()
    assert [r.kind for r in records] == ["notice.published", "notice.published"]
    assert records[1].payload["change"] == "material"
    assert records[1].payload["affected_purposes"] == ["share-affiliates"]
    assert records[1].payload["previous_version"] == "v1"
    assert audit.verify().ok


def test_subscribers_hear_of_a_publication_and_the_cache_follows_it(notices: NoticeService) -> None:
    heard: list[frozenset[tuple[str, str]]] = []
    notices.subscribe(lambda: heard.append(notices.acceptable_versions()["share-affiliates"]))
    publish(notices, "v1")
    assert notices.acceptable_versions()["share-affiliates"] == pairs("v1")  # cached now
    publish(notices, "v2", recipients=["affiliate-app-a"])
    assert heard == [pairs("v1"), pairs("v2")]


def test_a_second_service_sees_versions_another_published(
    notices: NoticeService, database: Database, clock: FakeClock, audit: AuditLog
) -> None:
    publish(notices, "v1")
    other = NoticeService(database, tenant="seed-app", clock=clock, ids=SequentialIds("o"), audit=audit)
    assert other.current("privacy-policy") == notices.current("privacy-policy")
    assert other.current("no-such-notice") is None
    elsewhere = NoticeService(
        database, tenant="another-app", clock=clock, ids=SequentialIds("o"), audit=audit
    )
    assert elsewhere.versions() == []  # tenants never see each other's notices


def test_published_at_comes_from_the_clock(notices: NoticeService, clock: FakeClock) -> None:
    clock.advance(days=1)
    assert publish(notices, "v1").published_at == clock.now()
    assert notices.current("privacy-policy").published_at == clock.now()  # type: ignore[union-attr]
