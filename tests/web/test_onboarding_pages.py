"""The onboarding pages, as a browser without JavaScript uses them: read the page, post its form.

Every walk goes through the real pages (GET the screen, POST its form with the token it carried,
follow the 303), and what was recorded is checked in the runtime itself, not in the HTML.
"""

from __future__ import annotations

import pytest

from consentgate.i18n import message
from consentgate.runtime.consent.schemas import EventKind
from consentgate.runtime.messaging.schemas import MessageStatus
from consentgate.text import Text
from tests.web.conftest import Site
from tests.web.pages import (
    CONTINUE_WITHOUT,
    ONBOARDING,
    PASSWORD,
    PHONE,
    Screen,
    begin,
    feed_label,
    fill_everything,
    parse,
    skip_everything,
    ticking,
    visible_words,
    walk,
    zh,
)

# ---------------------------------------------------------------------- the flow


def test_skipping_every_optional_question_reaches_a_non_personalized_home(site: Site) -> None:
    begin(site, "skipper")
    seen = walk(site, skip_everything)

    assert [s.action.rsplit("/", 1)[1] for s in seen] == [
        "welcome",
        "login",
        "questionnaire",
        "marketing-opt-in",
    ]
    label, personalized = feed_label(site)
    assert label == zh("feed.label.not_personalized")
    assert personalized == "false"
    facts = site.engine.consent.facts("skipper")
    assert facts, "skipping must record the refusals"
    assert all(fact.status is EventKind.REFUSED for fact in facts.values())
    assert not site.engine.feed.is_personalized("skipper")


def test_answering_and_ticking_personalization_gives_a_personalized_feed(site: Site) -> None:
    begin(site, "answerer")

    def answer(screen: Screen) -> tuple[str, dict[str, str]]:
        names = {str(c.get("name")) for c in screen.fields()}
        if "occupation" in names:
            box = next(
                str(c.get("name")) for c in screen.boxes() if "personalized-push" in str(c.get("name"))
            )
            return "submit", {"occupation": "老师", "english-level": "B1", box: "yes"}
        return skip_everything(screen)

    walk(site, answer)

    label, personalized = feed_label(site)
    assert label == zh("feed.label.personalized")
    assert personalized == "true"
    held = {a.data_id: a.value for a in site.engine.profiles.attributes("answerer")}
    assert held["occupation"] == "老师"
    assert "learning-goal" not in held  # left empty: not provided


def test_no_consent_box_is_ever_ticked_for_the_person(site: Site) -> None:
    begin(site, "unticked")
    boxes = [box for screen in walk(site, skip_everything) for box in screen.boxes()]

    # personalization, marketing, and sharing once per affiliated app: one box per purpose and recipient
    assert len(boxes) == 4
    assert all("checked" not in box.attrs for box in boxes)


def test_the_notice_comes_first_as_key_facts_and_later_screens_only_link_to_it(site: Site) -> None:
    begin(site, "reader")
    seen = walk(site, skip_everything)
    published = site.engine.notices.current("privacy-policy")
    assert published is not None

    welcome = seen[0]
    assert welcome.order == ["notice"]  # the welcome screen: the notice and nothing to fill in
    assert published.version in welcome.text_by_id["notice-heading"]
    assert welcome.text_by_id["notice-summary"].strip()  # the first layer, before the buttons
    assert welcome.html.index('id="notice-summary"') < welcome.html.index('id="action-agree"')
    # The complete text the consent rests on is one tap away, after the buttons.
    assert welcome.text_by_id["notice-text"].strip() == published.text.zh.strip()
    assert welcome.html.index('id="action-agree"') < welcome.html.index('id="notice-full"')
    later = seen[1:]
    assert later and all(s.order[0] == "notice" for s in later)
    for screen in later:  # shown once: afterwards a one-line link, never the whole notice again
        assert "notice-summary" not in screen.text_by_id
        assert "notice-full" not in screen.text_by_id
        assert (
            message("web.onboarding_notice_link", version=published.version).zh
            in screen.text_by_id["notice-link"]
        )


def test_no_page_of_the_sign_up_shows_an_id_or_a_code(site: Site) -> None:
    begin(site, "plain")
    seen = walk(site, skip_everything)
    manifest = site.engine.manifest
    ids = (
        {p.id for p in manifest.purposes}
        | {d.id for d in manifest.data}
        | {r.id for r in manifest.recipients}
    )
    codes = {p.kind.value for p in manifest.purposes} | {p.basis.value for p in manifest.purposes}
    for screen in seen:
        words = visible_words(screen.html)
        shown = {word for word in ids | codes | {"consent:"} if word in words}
        assert not shown, (screen.action, shown)


def test_only_the_necessary_fields_are_required(site: Site) -> None:
    begin(site, "minimal")
    fields = [f for screen in walk(site, skip_everything) for f in screen.fields()]

    required = {str(f.get("name")): f.get("type") for f in fields if "required" in f.attrs}
    assert required == {"phone": "tel", "account-password": "password"}
    optional = {str(f.get("name")) for f in fields if "required" not in f.attrs}
    assert optional == {"occupation", "learning-goal", "english-level", "school-stage"}


def test_optional_fields_say_their_purpose_and_that_the_answer_is_kept_only_with_the_box(site: Site) -> None:
    begin(site, "curious")
    questionnaire = next(s for s in walk(site, skip_everything) if s.action.endswith("/questionnaire"))
    purpose = zh("web.onboarding_kind_personalization")
    kept_only = message("web.onboarding_kept_only_with", purposes=purpose).zh

    for control in questionnaire.fields():
        described = str(control.get("aria-describedby")).split()
        texts = [questionnaire.text_by_id[i] for i in described]
        assert any(purpose in t for t in texts), control.attrs
        assert CONTINUE_WITHOUT in texts
        assert kept_only in texts  # said next to the field, in plain words
    assert "填写即表示您同意" not in questionnaire.html
    assert set(questionnaire.buttons()) >= {"submit", "skip", "refuse"}


def test_filling_every_question_and_ticking_nothing_keeps_nothing_and_consents_to_nothing(site: Site) -> None:
    begin(site, "filler")
    walk(site, fill_everything)

    label, personalized = feed_label(site)
    assert (label, personalized) == (zh("feed.label.not_personalized"), "false")
    assert not any(f.status is EventKind.GIVEN for f in site.engine.consent.facts("filler").values())
    assert not site.engine.gate.decide("filler", "personalized-push", ["occupation"]).allowed
    held = {a.data_id for a in site.engine.profiles.attributes("filler")}
    assert held == {"phone", "account-password"}
    privacy = parse(site.client.get("/me/privacy").text)
    states = {k: v.get("data-on") for k, v in privacy.attrs_by_id.items() if k.endswith("-state")}
    assert states and set(states.values()) == {"false"}, states


def test_required_fields_do_not_offer_to_continue_without(site: Site) -> None:
    begin(site, "necessary")
    login = next(s for s in walk(site, skip_everything) if s.action.endswith("/login"))

    for control in login.fields():
        described = str(control.get("aria-describedby")).split()
        assert CONTINUE_WITHOUT not in [login.text_by_id[i] for i in described]
    assert "skip" not in login.buttons()


def test_sharing_is_asked_separately_for_each_recipient(site: Site) -> None:
    begin(site, "sharer")
    last = walk(site, skip_everything)[-1]
    recipients = [r.label.zh for r in site.engine.manifest.recipients if r.label and r.label.zh]
    assert recipients == ["关联软件甲", "关联软件乙"]

    sharing = [c for c in last.boxes() if "share-affiliates" in str(c.get("name"))]
    assert len(sharing) == len(recipients)
    for box in sharing:  # each box's own label names exactly one recipient: a joint box fails here
        label = last.text_by_id[f"{box.get('id')}-label"]
        assert [r for r in recipients if r in label] in ([r] for r in recipients), label
    assert "营销短信" in last.text_by_id["consent-boxes"]
    assert "营销短信" not in last.text_by_id["sharing-boxes"]


def test_ticking_only_the_first_affiliated_app_lets_only_it_receive_data(site: Site) -> None:
    begin(site, "one-app")
    walk(site, ticking("affiliate-app-a"))

    gate = site.engine.gate
    assert gate.decide("one-app", "share-affiliates", ["phone"], "affiliate-app-a").allowed
    assert not gate.decide("one-app", "share-affiliates", ["phone"], "affiliate-app-b").allowed
    given = [
        (f.purpose, f.recipient)
        for f in site.engine.consent.facts("one-app").values()
        if f.status is EventKind.GIVEN
    ]
    assert given == [("share-affiliates", "affiliate-app-a")]


# ---------------------------------------------------------------------- mistakes and refusals


def _to_login(site: Site, subject: str) -> Screen:
    welcome = begin(site, subject)
    site.client.post(welcome.action, data={"csrf_token": welcome.csrf, "action": "agree"})
    login = parse(site.client.get(ONBOARDING).text)
    assert login.action.endswith("/login")
    return login


def test_login_without_the_phone_is_sent_back_and_nothing_is_recorded(site: Site) -> None:
    login = _to_login(site, "forgetful")
    sent = site.client.post(
        login.action,
        data={"csrf_token": login.csrf, "action": "submit", "phone": "", "account-password": PASSWORD},
        follow_redirects=False,
    )

    assert sent.status_code == 422
    again = parse(sent.text)
    assert "移动电话号码" in again.text_by_id["form-error"]
    assert PASSWORD not in sent.text  # a password is never echoed
    assert site.engine.onboarding.next_screen("forgetful").screen_id == "login"
    assert site.engine.profiles.attributes("forgetful") == []


def test_a_phone_number_that_is_not_one_is_sent_back_with_what_was_typed(site: Site) -> None:
    login = _to_login(site, "typo")
    sent = site.client.post(
        login.action,
        data={"csrf_token": login.csrf, "action": "submit", "phone": "call me", "account-password": PASSWORD},
        follow_redirects=False,
    )

    assert sent.status_code == 422
    phone = next(c for c in parse(sent.text).fields() if c.get("name") == "phone")
    assert phone.get("value") == "call me"
    assert phone.get("aria-invalid") == "true"
    assert site.engine.profiles.attributes("typo") == []


def test_the_password_is_kept_only_as_a_hash_and_the_phone_becomes_the_sms_address(site: Site) -> None:
    begin(site, "subscriber")

    def opt_in(screen: Screen) -> tuple[str, dict[str, str]]:
        marketing = [str(c.get("name")) for c in screen.boxes() if "marketing-sms" in str(c.get("name"))]
        if marketing:
            return "submit", {marketing[0]: "yes"}
        return skip_everything(screen)

    walk(site, opt_in)

    held = {a.data_id: a.value for a in site.engine.profiles.attributes("subscriber")}
    assert held["phone"] == PHONE
    assert held["account-password"] != PASSWORD
    assert str(held["account-password"]).startswith("scrypt$")
    sent = site.engine.messaging.send_to_address(
        "+86 138 0000 0001", channel="sms", text=Text(zh="本周课程", en="This week's lessons")
    )
    assert sent.subject == "subscriber"  # the number typed at sign-up finds its person
    assert sent.status in {MessageStatus.SENT, MessageStatus.DEFERRED}  # consented (quiet hours may defer)


def test_browse_only_records_nothing_and_leads_back_to_the_notice(site: Site) -> None:
    welcome = begin(site, "browser-only")
    assert welcome.buttons()["browse"] == zh("web.onboarding_browse")
    left = site.client.post(
        welcome.action, data={"csrf_token": welcome.csrf, "action": "browse"}, follow_redirects=False
    )

    assert left.status_code == 303
    assert left.headers["location"] == "/me/browse"
    browsing = parse(site.client.get("/me/browse").text)
    assert browsing.attrs_by_id["feed-label"]["data-personalized"] == "false"
    assert browsing.text_by_id["browse-agree-button"].strip() == zh("web.browse_agree")
    assert site.engine.onboarding.next_screen("browser-only").screen_id == "welcome"
    assert not site.engine.consent.facts("browser-only")
    assert site.engine.profiles.attributes("browser-only") == []


def test_a_form_for_another_screen_records_nothing(site: Site) -> None:
    welcome = begin(site, "hasty")
    posted = site.client.post(
        ONBOARDING + "/questionnaire",
        data={"csrf_token": welcome.csrf, "action": "submit", "occupation": "老师"},
        follow_redirects=False,
    )

    assert posted.status_code == 303
    assert posted.headers["location"] == ONBOARDING
    assert site.engine.onboarding.next_screen("hasty").screen_id == "welcome"
    assert site.engine.profiles.attributes("hasty") == []
    assert not site.engine.consent.facts("hasty")  # not even a refusal


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_post_without_the_form_token_is_refused_and_changes_nothing(site: Site, token: str | None) -> None:
    begin(site, "victim")
    data = {"action": "agree"} | ({"csrf_token": token} if token else {})
    posted = site.client.post(ONBOARDING + "/welcome", data=data, follow_redirects=False)

    assert posted.status_code == 403
    assert site.engine.onboarding.next_screen("victim").screen_id == "welcome"


# ---------------------------------------------------------------------- language


def test_the_screen_reads_in_english_when_asked(site: Site) -> None:
    begin(site, "english")
    site.client.get("/lang/en", params={"next": ONBOARDING})
    screen = parse(site.client.get(ONBOARDING).text)

    assert screen.buttons()["agree"] == message("web.onboarding_agree").en
    assert screen.buttons()["browse"] == "Just browse"
    assert "Personal information processing rules" in screen.text_by_id["notice"]


def test_the_screen_follows_the_browser_language(site: Site) -> None:
    begin(site, "browser")
    english = parse(site.client.get(ONBOARDING, headers={"Accept-Language": "en-US,en;q=0.9"}).text)
    chinese = parse(site.client.get(ONBOARDING, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text)

    assert english.buttons()["agree"] == "Agree and continue"
    assert chinese.buttons()["agree"] == "同意并继续"
