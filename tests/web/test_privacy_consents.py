"""The privacy center's switches: each one changes what the gate decides on its very next call."""

from __future__ import annotations

from consentgate.runtime.consent.schemas import EventKind, Mechanism
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.schemas import NotificationReason
from consentgate.text import Text
from tests.web.conftest import Site
from tests.web.test_privacy_support import PAGE, signed_up, switch


def _state(site: Site, key: str) -> str:
    html = site.client.get(PAGE).text
    marker = f'id="purpose-{key}-state" data-on="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_a_purpose_switched_off_is_denied_on_the_next_call_and_on_allows_again(site: Site) -> None:
    engine = signed_up(site, "luo")
    assert not engine.gate.decide("luo", "certificates", "english-name").allowed
    assert _state(site, "certificates") == "false"

    assert switch(site, "certificates", True) == 303
    assert engine.gate.decide("luo", "certificates", "english-name").allowed
    assert _state(site, "certificates") == "true"

    assert switch(site, "certificates", False) == 303
    decision = engine.gate.decide("luo", "certificates", "english-name")
    assert not decision.allowed and decision.reason_code.value == "withdrawn"
    assert _state(site, "certificates") == "false"
    kinds = [(e.kind, e.mechanism) for e in engine.consent.events("luo") if e.purpose == "certificates"]
    assert kinds == [(EventKind.GIVEN, Mechanism.SETTINGS), (EventKind.WITHDRAWN, Mechanism.SETTINGS)]


def test_switching_on_what_is_already_on_records_nothing(site: Site) -> None:
    engine = signed_up(site, "luo")
    site.client.get("/lang/en", follow_redirects=False)
    switch(site, "certificates", True)
    events = len(engine.consent.events("luo"))
    assert switch(site, "certificates", True) == 303
    assert len(engine.consent.events("luo")) == events
    assert "Nothing to change" in site.client.get(PAGE).text


def test_the_feed_switch_flips_personalization_with_stable_button_text(site: Site) -> None:
    engine = signed_up(site, "luo", {"occupation": "teacher", "english-level": "B2"})
    site.client.get("/lang/en")
    assert engine.feed.page("luo").personalized
    assert ">Turn personalization off<" in site.client.get(PAGE).text

    response = site.post(f"{PAGE}/personalization", {"on": "0"}, page=PAGE)
    assert response.status_code == 303 and response.headers["location"].endswith("#personalization")
    assert not engine.feed.page("luo").personalized
    html = site.client.get(PAGE).text
    assert ">Turn personalization on<" in html and 'id="feed-state" data-on="false"' in html

    site.post(f"{PAGE}/personalization", {"on": "1"}, page=PAGE)
    assert engine.feed.page("luo").personalized
    site.client.get("/lang/zh")
    assert ">关闭个性化推荐<" in site.client.get(PAGE).text


def test_sharing_has_one_switch_per_recipient_and_a_withdrawal_tells_the_recipient(site: Site) -> None:
    engine = signed_up(site, "luo")
    html = site.client.get(PAGE).text
    assert 'id="purpose-share-affiliates--affiliate-app-a"' in html
    assert 'id="purpose-share-affiliates--affiliate-app-b"' in html

    assert switch(site, "share-affiliates", True, "affiliate-app-a") == 303
    assert engine.gate.decide("luo", "share-affiliates", "phone", "affiliate-app-a").allowed
    assert not engine.gate.decide("luo", "share-affiliates", "phone", "affiliate-app-b").allowed
    given_events = engine.consent.events("luo")
    [given] = [e for e in given_events if e.purpose == "share-affiliates" and e.kind is EventKind.GIVEN]
    assert given.mechanism is Mechanism.SEPARATE and given.recipient == "affiliate-app-a"  # PIPL 23

    switch(site, "share-affiliates", True, "affiliate-app-b")
    assert engine.sharing.transfer("luo", "share-affiliates", "affiliate-app-a", ["phone"]).delivered
    assert switch(site, "share-affiliates", False, "affiliate-app-a") == 303
    assert not engine.gate.decide("luo", "share-affiliates", "phone", "affiliate-app-a").allowed
    assert engine.gate.decide("luo", "share-affiliates", "phone", "affiliate-app-b").allowed
    sink = engine.sharing_sink
    assert isinstance(sink, InMemorySink)
    assert [n.reason for n in sink.notified("affiliate-app-a")] == [NotificationReason.WITHDRAWAL]
    assert sink.notified("affiliate-app-b") == []


def test_a_sharing_consent_must_name_its_recipient(site: Site) -> None:
    engine = signed_up(site, "luo")
    events = len(engine.consent.events("luo"))
    assert switch(site, "share-affiliates", True) == 422
    assert len(engine.consent.events("luo")) == events


def test_marketing_is_switched_per_channel(site: Site) -> None:
    engine = signed_up(site, "luo")
    site.client.get("/lang/en")
    html = site.client.get(PAGE).text
    marketing = html[html.index('id="marketing"') : html.index('id="rights"')]
    assert "Channel: text messages (SMS)" in marketing and 'value="marketing-sms"' in marketing
    assert not engine.gate.decide("luo", "marketing-sms", "phone").allowed

    response = site.post(
        f"{PAGE}/purposes", {"purpose": "marketing-sms", "on": "1", "section": "marketing"}, page=PAGE
    )
    assert response.headers["location"].endswith("#marketing")
    assert engine.gate.decide("luo", "marketing-sms", "phone").allowed
    [given] = [
        e for e in engine.consent.events("luo") if e.purpose == "marketing-sms" and e.kind is EventKind.GIVEN
    ]
    assert given.channel == "sms" and given.mechanism is Mechanism.SETTINGS


def test_a_form_without_its_token_is_refused_and_changes_nothing(site: Site) -> None:
    engine = signed_up(site, "luo")
    events = len(engine.consent.events("luo"))
    for token in ({}, {"csrf_token": "forged"}):
        response = site.client.post(
            f"{PAGE}/purposes", data={**token, "purpose": "certificates", "on": "1"}, follow_redirects=False
        )
        assert response.status_code == 403
    response = site.client.post(f"{PAGE}/personalization", data={"on": "1"}, follow_redirects=False)
    assert response.status_code == 403
    assert len(engine.consent.events("luo")) == events
    assert not engine.gate.decide("luo", "certificates", "english-name").allowed


def test_a_consent_made_stale_by_a_new_notice_shows_off_and_is_given_again_on_the_new_version(
    site: Site,
) -> None:
    engine = signed_up(site, "luo")
    switch(site, "certificates", True)
    current = engine.notices.current("privacy-policy")
    assert current is not None
    engine.notices.publish(  # a material change for certificates: it no longer lists its data item
        "privacy-policy",
        "2024-02",
        text=Text(zh="新版本", en="new version"),
        purposes=current.purposes,
        data=current.data - {"english-name"},
        recipients=current.recipients,
    )
    assert not engine.gate.decide("luo", "certificates", ()).allowed
    site.client.get("/lang/en", follow_redirects=False)
    html = site.client.get(PAGE).text
    assert 'id="purpose-certificates-state" data-on="false"' in html
    assert "the privacy notice changed" in html

    assert switch(site, "certificates", True) == 303
    assert engine.gate.decide("luo", "certificates", ()).allowed
    latest = [e for e in engine.consent.events("luo") if e.purpose == "certificates"][-1]
    assert (latest.kind, latest.notice_version) == (EventKind.GIVEN, "2024-02")
