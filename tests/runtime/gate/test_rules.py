"""The pure decision, case by case against the seed app: each test fails if the law's requirement is broken."""

from __future__ import annotations

import pytest

from consentgate.runtime.consent.schemas import EventKind, Mechanism, SubjectFacts
from consentgate.runtime.gate.decision import Decision, ReasonCode
from consentgate.runtime.gate.rules import decide
from consentgate.runtime.policy import Policy
from tests.runtime.gate.facts import AS_FOUND, NOTICE, fact, facts_of, seed_policy, variant_policy

R = ReasonCode
CURRENT = frozenset({(NOTICE, "2024-01")})
PROFILE = frozenset({"occupation", "learning-goal", "english-level", "school-stage", "profile-tags"})


@pytest.fixture(scope="module")
def policy() -> Policy:
    return seed_policy()


def ask(
    policy: Policy,
    purpose: str,
    data: set[str] | frozenset[str],
    facts: SubjectFacts | None = None,
    *,
    recipient: str | None = None,
    acceptable: frozenset[tuple[str, str]] = CURRENT,
) -> Decision:
    return decide(policy.purposes[purpose], facts or {}, frozenset(data), recipient, acceptable)


# Contract necessity: only the necessary data of a basic function.


def test_basic_function_necessary_data_flows_without_consent(policy: Policy) -> None:
    decision = ask(policy, "online-courses", {"phone", "account-password", "orders"})
    assert decision.allowed
    assert decision.reason_code is R.CONTRACT_NECESSITY
    assert "PIPL-13.2" in decision.citations
    assert decision.consent_event_id is None


def test_contract_necessity_ignores_a_refusal_elsewhere(policy: Policy) -> None:
    refused = facts_of(fact("marketing-sms", EventKind.REFUSED))
    assert ask(policy, "online-courses", {"phone"}, refused).allowed


def test_personalized_push_with_profile_data_is_denied_without_consent(policy: Policy) -> None:
    decision = ask(policy, "personalized-push", PROFILE)
    assert not decision.allowed
    assert decision.reason_code is R.NO_CONSENT


def test_personalization_claimed_as_contract_is_still_denied_without_consent() -> None:
    """The seed case as the court found it: the defendant's contract-necessity defence does not hold."""
    as_found = seed_policy(AS_FOUND)
    decision = ask(as_found, "personalized-push", {"occupation", "english-level"})
    assert not decision.allowed
    assert decision.reason_code is R.NOT_NECESSARY_FOR_CONTRACT
    assert "PIPL-13.2" in decision.citations


def test_unnecessary_data_of_a_basic_function_needs_consent() -> None:
    widened = variant_policy(
        ("data: [phone, account-password, orders]", "data: [phone, account-password, orders, occupation]")
    )
    assert widened.purposes["online-courses"].without_consent == {"phone", "account-password", "orders"}
    denied = ask(widened, "online-courses", {"phone", "occupation"})
    assert not denied.allowed
    assert denied.reason_code is R.NOT_NECESSARY_FOR_CONTRACT
    consented = facts_of(fact("online-courses", data=("occupation",), event_id="ev-occ"))
    allowed = ask(widened, "online-courses", {"phone", "occupation"}, consented)
    assert allowed.allowed
    assert allowed.reason_code is R.CONSENT
    assert allowed.consent_event_id == "ev-occ"


@pytest.mark.parametrize(
    ("basis", "code", "citation"),
    [
        ("legal-obligation", R.LEGAL_OBLIGATION, "PIPL-13.3"),
        ("emergency", R.EMERGENCY, "PIPL-13.4"),
        ("news-reporting", R.NEWS_REPORTING, "PIPL-13.5"),
        ("public-information", R.PUBLIC_INFORMATION, "PIPL-13.6"),
        ("other-law", R.OTHER_LAW, "PIPL-13.7"),
    ],
)
def test_other_legal_bases_need_no_consent(basis: str, code: ReasonCode, citation: str) -> None:
    with_duty = variant_policy(
        (
            "\nrecipients:\n",
            f"\n  - id: statutory-duty\n    kind: legal-obligation\n    basis: {basis}\n    data: [phone]\n"
            "\nrecipients:\n",
        )
    )
    decision = ask(with_duty, "statutory-duty", {"phone"})
    assert decision.allowed
    assert decision.reason_code is code
    assert citation in decision.citations


# Consent purposes: a live consent on an acceptable notice version, covering the data.


def test_live_consent_on_the_current_notice_allows(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push", event_id="ev-42"))
    decision = ask(policy, "personalized-push", PROFILE, facts)
    assert decision.allowed
    assert decision.reason_code is R.CONSENT
    assert decision.consent_event_id == "ev-42"


def test_consent_on_a_notice_version_before_a_material_change_is_stale(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push", version="2023-06"))
    decision = ask(policy, "personalized-push", {"occupation"}, facts)
    assert not decision.allowed
    assert decision.reason_code is R.STALE_NOTICE
    assert "PIPL-14" in decision.citations


def test_consent_stays_live_across_a_non_material_version(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push", version="2024-01"))
    both = CURRENT | {(NOTICE, "2024-02")}
    assert ask(policy, "personalized-push", {"occupation"}, facts, acceptable=both).allowed


def test_consent_for_the_same_version_of_another_notice_is_not_acceptable(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push"))
    other = frozenset({("terms", "2024-01")})
    assert (
        ask(policy, "personalized-push", {"occupation"}, facts, acceptable=other).reason_code
        is R.STALE_NOTICE
    )


def test_consent_covers_only_the_data_it_names(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push", data=("occupation", "learning-goal")))
    assert ask(policy, "personalized-push", {"occupation"}, facts).allowed
    decision = ask(policy, "personalized-push", {"occupation", "english-level"}, facts)
    assert not decision.allowed
    assert decision.reason_code is R.DATA_NOT_CONSENTED


@pytest.mark.parametrize(
    ("status", "code", "citation"),
    [
        (EventKind.REFUSED, R.REFUSED, "PIPL-44"),
        (EventKind.WITHDRAWN, R.WITHDRAWN, "PIPL-15"),
        (EventKind.EXPIRED, R.EXPIRED, "PIPL-14"),
    ],
)
def test_each_way_of_losing_consent_has_its_own_reason(
    policy: Policy, status: EventKind, code: ReasonCode, citation: str
) -> None:
    decision = ask(policy, "marketing-sms", {"phone"}, facts_of(fact("marketing-sms", status)))
    assert not decision.allowed
    assert decision.reason_code is code
    assert citation in decision.citations
    assert decision.consent_event_id is None


def test_withdrawal_denies_the_next_decision(policy: Policy) -> None:
    given = facts_of(fact("marketing-sms", event_id="ev-1"))
    assert ask(policy, "marketing-sms", {"phone"}, given).allowed
    withdrawn = facts_of(fact("marketing-sms", EventKind.WITHDRAWN, event_id="ev-2"))
    assert ask(policy, "marketing-sms", {"phone"}, withdrawn).reason_code is R.WITHDRAWN


def test_consent_to_one_purpose_does_not_open_another(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push"))
    assert ask(policy, "certificates", {"english-name"}, facts).reason_code is R.NO_CONSENT


def test_empty_request_asks_whether_the_purpose_may_run(policy: Policy) -> None:
    assert ask(policy, "online-courses", set()).reason_code is R.CONTRACT_NECESSITY
    assert ask(policy, "marketing-sms", set()).reason_code is R.NO_CONSENT
    assert ask(policy, "marketing-sms", set(), facts_of(fact("marketing-sms"))).allowed


# Purpose limitation.


def test_data_outside_the_purpose_is_denied_even_with_consent(policy: Policy) -> None:
    facts = facts_of(fact("personalized-push"))
    decision = ask(policy, "personalized-push", {"occupation", "phone"}, facts)
    assert not decision.allowed
    assert decision.reason_code is R.DATA_OUTSIDE_PURPOSE
    assert "PIPL-6" in decision.citations


def test_necessary_data_used_for_another_purpose_is_outside_that_purpose(policy: Policy) -> None:
    assert ask(policy, "online-courses", {"occupation"}).reason_code is R.DATA_OUTSIDE_PURPOSE


def test_recipient_outside_the_purpose_is_denied(policy: Policy) -> None:
    facts = facts_of(fact("marketing-sms"))
    decision = ask(policy, "marketing-sms", {"phone"}, facts, recipient="affiliate-app-a")
    assert decision.reason_code is R.RECIPIENT_OUTSIDE_PURPOSE


# Sharing (PIPL 23) and sensitive data (PIPL 29): separate consent.


def test_sharing_needs_separate_consent_naming_the_recipient(policy: Policy) -> None:
    facts = facts_of(fact("share-affiliates", recipient="affiliate-app-a", mechanism=Mechanism.SEPARATE))
    allowed = ask(policy, "share-affiliates", {"phone", "orders"}, facts, recipient="affiliate-app-a")
    assert allowed.allowed
    assert allowed.reason_code is R.SEPARATE_CONSENT
    assert "PIPL-23" in allowed.citations
    other = ask(policy, "share-affiliates", {"phone"}, facts, recipient="affiliate-app-b")
    assert not other.allowed
    assert other.reason_code is R.NO_CONSENT


def test_sharing_without_naming_the_recipient_is_denied(policy: Policy) -> None:
    facts = facts_of(fact("share-affiliates", mechanism=Mechanism.SEPARATE))
    decision = ask(policy, "share-affiliates", {"phone"}, facts)
    assert decision.reason_code is R.RECIPIENT_NOT_NAMED


def test_sharing_on_bundled_in_flow_consent_is_denied(policy: Policy) -> None:
    facts = facts_of(fact("share-affiliates", recipient="affiliate-app-a", mechanism=Mechanism.IN_FLOW))
    decision = ask(policy, "share-affiliates", {"phone"}, facts, recipient="affiliate-app-a")
    assert decision.reason_code is R.SHARING_NEEDS_SEPARATE_CONSENT


def test_withdrawing_sharing_for_one_recipient_keeps_the_other(policy: Policy) -> None:
    facts = facts_of(
        fact(
            "share-affiliates", EventKind.WITHDRAWN, recipient="affiliate-app-a", mechanism=Mechanism.SETTINGS
        ),
        fact("share-affiliates", recipient="affiliate-app-b", mechanism=Mechanism.SEPARATE),
    )
    assert (
        ask(policy, "share-affiliates", {"phone"}, facts, recipient="affiliate-app-a").reason_code
        is R.WITHDRAWN
    )
    assert ask(policy, "share-affiliates", {"phone"}, facts, recipient="affiliate-app-b").allowed


def test_entrusted_recipient_rests_on_the_purpose_consent() -> None:
    """A processor acting on our behalf (PIPL 21) is not a third party: no separate consent naming it."""
    with_processor = variant_policy(
        (
            "    data: [phone]\n    marketing:",
            "    data: [phone]\n    recipients: [sms-vendor]\n    marketing:",
        ),
        (
            "recipients:\n  - {id: affiliate-app-a",
            "recipients:\n  - {id: sms-vendor, name: 短信服务商, kind: entrusted}\n  - {id: affiliate-app-a",
        ),
    )
    assert not with_processor.purposes["marketing-sms"].separate_for_recipients
    facts = facts_of(fact("marketing-sms"))
    assert ask(with_processor, "marketing-sms", {"phone"}, facts, recipient="sms-vendor").allowed


def test_sensitive_data_needs_separate_consent() -> None:
    sensitive = variant_policy(("  - id: english-name\n", "  - id: english-name\n    sensitive: true\n"))
    assert sensitive.purposes["certificates"].separate_for_data == {"english-name"}
    in_flow = facts_of(fact("certificates", mechanism=Mechanism.IN_FLOW))
    denied = ask(sensitive, "certificates", {"english-name"}, in_flow)
    assert denied.reason_code is R.SENSITIVE_NEEDS_SEPARATE_CONSENT
    assert "PIPL-29" in denied.citations
    separate = facts_of(fact("certificates", mechanism=Mechanism.SEPARATE, event_id="ev-sep"))
    allowed = ask(sensitive, "certificates", {"english-name"}, separate)
    assert allowed.allowed
    assert allowed.reason_code is R.SEPARATE_CONSENT
    assert allowed.consent_event_id == "ev-sep"


def test_separate_consent_on_a_stale_notice_is_still_stale(policy: Policy) -> None:
    facts = facts_of(
        fact("share-affiliates", recipient="affiliate-app-a", mechanism=Mechanism.SEPARATE, version="2023-06")
    )
    decision = ask(policy, "share-affiliates", {"phone"}, facts, recipient="affiliate-app-a")
    assert decision.reason_code is R.STALE_NOTICE
