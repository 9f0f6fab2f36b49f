"""The privacy center's overview: what is held about the person and why, and who may see it."""

from __future__ import annotations

import re

from tests.web.conftest import Site
from tests.web.pages import visible_words
from tests.web.test_privacy_support import PAGE, PASSWORD, PHONE, signed_up, switch

ANSWERS = {"occupation": "老师", "english-level": "B1"}


def _row(html: str, row_id: str) -> str:
    found = re.search(rf'<tr id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row {row_id}"
    return found.group(1)


def test_held_values_are_listed_with_their_purposes_and_the_password_never(site: Site) -> None:
    signed_up(site, "luo", ANSWERS)
    site.client.get("/lang/en")
    html = site.client.get(PAGE).text
    occupation = _row(html, "held-occupation")
    assert (
        "老师" in occupation and "Personalized recommendations" in occupation and "you agreed" in occupation
    )
    phone = _row(html, "held-phone")
    assert PHONE in phone and "needed for the service" in phone
    password = _row(html, "held-account-password")
    assert "stored, never shown" in password
    assert PASSWORD not in html and "argon2id" not in html


def test_a_purpose_switched_off_shows_its_items_as_no_longer_in_use(site: Site) -> None:
    signed_up(site, "luo", ANSWERS)
    assert switch(site, "personalized-push", False) == 303
    site.client.get("/lang/en")
    occupation = _row(site.client.get(PAGE).text, "held-occupation")
    assert "not in use: no consent" in occupation and "you agreed" not in occupation


def test_derived_tags_name_what_they_were_worked_out_from(site: Site) -> None:
    engine = signed_up(site, "luo", ANSWERS)
    sources = [a.attribute_id for a in engine.profiles.attributes("luo") if a.data_id in ANSWERS]
    engine.profiles.derive(
        "luo",
        "profile-tags",
        ["teacher", "intermediate"],
        derived_from=sources,
        purposes=["personalized-push"],
    )
    site.client.get("/lang/en")
    tag = _row(site.client.get(PAGE).text, "tag-profile-tags")
    assert "teacher, intermediate" in tag
    assert "Occupation" in tag and "Language level" in tag


def test_consents_now_and_the_recipients_that_received_data(site: Site) -> None:
    engine = signed_up(site, "luo", ANSWERS, share_with=("affiliate-app-a",))
    assert engine.sharing.transfer("luo", "share-affiliates", "affiliate-app-a", ["phone"]).delivered
    html = site.client.get(PAGE).text
    received = _row(html, "recipient-affiliate-app-a")
    assert "关联软件甲" in received and "移动电话号码" in received
    assert 'id="recipient-affiliate-app-b"' not in html  # consented, but nothing was sent there
    consents = html[html.index('id="held-consents"') : html.index('id="held-recipients-title"')]
    assert "个性化推荐" in consents and "2024-01" in consents


def test_a_basic_function_is_listed_as_needed_without_a_switch(site: Site) -> None:
    engine = signed_up(site, "luo")
    html = site.client.get(PAGE).text
    needed = html[html.index('id="needed"') : html.index('id="personalization"')]
    assert 'id="purpose-online-courses"' in needed
    assert 'name="purpose" value="online-courses"' not in html
    events = len(engine.consent.events("luo"))
    assert switch(site, "online-courses", False) == 400  # it rests on no consent: nothing to withdraw
    assert len(engine.consent.events("luo")) == events


def test_the_page_needs_a_signed_in_person(site: Site) -> None:
    response = site.client.get(PAGE)
    assert response.status_code == 401
    assert "text/html" in response.headers["content-type"]


def test_the_privacy_center_names_purposes_and_recipients_in_words_never_by_their_ids(site: Site) -> None:
    engine = signed_up(site, "luo", ANSWERS)
    manifest = engine.manifest
    labels = " ".join(
        f"{x.label.zh} {x.label.en}" for x in [*manifest.purposes, *manifest.recipients] if x.label
    )
    # An id that is also an ordinary word of a label ("certificates") proves nothing either way.
    ids = [x.id for x in [*manifest.purposes, *manifest.recipients] if x.id not in labels]
    for lang in ("zh", "en"):
        site.client.get(f"/lang/{lang}")
        words = visible_words(site.client.get(PAGE).text)
        shown = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", words)]
        assert shown == [], f"ids on the {lang} privacy center: {shown}"
    assert "Affiliated app A" in words  # the recipient's readable name, from its label
