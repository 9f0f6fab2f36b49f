"""Consent statistics behind the console: the pure tally, and the ledger's GROUP BY over the projection."""

from __future__ import annotations

from consentgate.runtime.consent.schemas import EventKind
from consentgate.runtime.consent.statistics import StatusCount, tally
from consentgate.text import Text
from tests.web.conftest import Site

V1 = ("notice", "v1")
V2 = ("notice", "v2")


def _count(purpose: str, version: tuple[str, str] | None, status: EventKind, people: int) -> StatusCount:
    notice_id, notice_version = version if version else (None, None)
    return StatusCount(purpose, notice_id, notice_version, status, people)


def test_tally_groups_by_purpose_and_version_and_marks_stale_versions() -> None:
    statistics = tally(
        [
            _count("sms", V1, EventKind.GIVEN, 4),
            _count("sms", V1, EventKind.REFUSED, 1),
            _count("sms", V2, EventKind.GIVEN, 2),
            _count("sms", None, EventKind.WITHDRAWN, 3),
            _count("share", V1, EventKind.GIVEN, 5),
        ],
        {"sms": frozenset({V2}), "share": frozenset({V1, V2})},
    )
    rows = [(r.purpose, r.notice_version, r.given, r.refused, r.withdrawn, r.stale) for r in statistics.rows]
    assert rows == [
        ("share", "v1", 5, 0, 0, False),
        ("sms", "v1", 4, 1, 0, True),
        ("sms", "v2", 2, 0, 0, False),
        ("sms", None, 0, 0, 3, False),  # a withdrawal rests on no version: nothing to renew
    ]
    assert statistics.must_reconsent() == 4
    assert statistics.must_reconsent(["share"]) == 0
    assert statistics.must_reconsent(["sms", "share"]) == 4
    assert [r.notice_version for r in statistics.for_purpose("sms")] == ["v1", "v2", None]


def test_a_purpose_no_version_covers_any_more_is_stale_everywhere() -> None:
    statistics = tally([_count("dropped", V1, EventKind.GIVEN, 2)], {})
    assert statistics.rows[0].stale and statistics.must_reconsent() == 2


def test_the_ledger_counts_people_not_recipients(site: Site) -> None:
    ledger = site.engine.consent
    ledger.register_subjects(["both", "one"])
    for recipient in ("affiliate-app-a", "affiliate-app-b"):
        ledger.give(
            "both",
            "share-affiliates",
            notice_id="privacy-policy",
            notice_version="2024-01",
            recipient=recipient,
        )
    ledger.give(
        "one",
        "share-affiliates",
        notice_id="privacy-policy",
        notice_version="2024-01",
        recipient="affiliate-app-a",
    )
    (row,) = ledger.statistics().for_purpose("share-affiliates")
    assert (row.given, row.stale) == (2, False)


def test_a_material_notice_change_makes_the_ledgers_consents_stale(site: Site) -> None:
    ledger, notices = site.engine.consent, site.engine.notices
    ledger.register_subject("asked")
    ledger.give(
        "asked", "certificates", notice_id="privacy-policy", notice_version="2024-01", data=["english-name"]
    )
    current = notices.current("privacy-policy")
    assert current is not None
    notices.publish(
        "privacy-policy",
        "2024-02",
        text=Text(zh=current.text.zh + "。", en=current.text.en + "."),
        purposes=current.purposes,
        data=current.data - {"english-name"},
        recipients=current.recipients,
    )
    statistics = ledger.statistics()
    assert statistics.must_reconsent(["certificates"]) == 1
    assert statistics.must_reconsent(["marketing-sms"]) == 0
