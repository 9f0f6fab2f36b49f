"""Deleting the person's data or cancelling their account: confirmation first, then erasure and a receipt."""

from __future__ import annotations

import pytest

from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.schemas import NotificationReason
from tests.web.conftest import Site
from tests.web.test_privacy_support import PAGE, PHONE, signed_up

DELETED = f"{PAGE}/deleted"


def test_the_first_post_only_asks_and_erases_nothing(site: Site) -> None:
    engine = signed_up(site, "luo", {"occupation": "老师"})
    site.client.get("/lang/en", follow_redirects=False)
    response = site.post(f"{PAGE}/delete", {"kind": "delete"}, page=PAGE)
    assert response.status_code == 200
    assert 'id="confirm-button"' in response.text and "Nothing has happened yet" in response.text
    assert 'name="confirm" value="yes"' in response.text
    assert engine.consent.known_subject("luo")
    assert engine.rights.open_requests("luo") == []
    assert site.client.get(PAGE).status_code == 200  # still signed in


@pytest.mark.parametrize("kind", ["delete", "cancel-account"])
def test_a_confirmed_erasure_forgets_the_person_signs_them_out_and_shows_the_certificate(
    site: Site, kind: str
) -> None:
    engine = signed_up(site, "luo", {"occupation": "老师"}, share_with=("affiliate-app-a",))
    assert engine.sharing.transfer("luo", "share-affiliates", "affiliate-app-a", ["phone"]).delivered
    site.client.get("/lang/en", follow_redirects=False)
    response = site.post(f"{PAGE}/delete", {"kind": kind, "confirm": "yes"}, page=PAGE)
    assert response.status_code == 303 and response.headers["location"] == DELETED

    assert not engine.consent.known_subject("luo")
    assert engine.profiles.attributes("luo") == []
    assert site.client.get(PAGE).status_code == 401  # signed out: nobody left to be signed in as
    sink = engine.sharing_sink
    assert isinstance(sink, InMemorySink)
    assert [n.reason for n in sink.notified("affiliate-app-a")] == [NotificationReason.DELETION]

    done = site.client.get(DELETED)
    assert done.status_code == 200
    title = "Your data was deleted" if kind == "delete" else "Your account was cancelled"
    assert f"<h1>{title}</h1>" in done.text
    document = site.client.get(f"{DELETED}/certificate")
    assert document.headers["content-disposition"].startswith("attachment;")
    certificate = document.json()
    assert certificate["kind"] == kind
    total = sum(n for table, n in certificate["erased"].items() if not table.endswith("(kept)"))
    assert total > 0 and f'<dd id="erased-total">{total}</dd>' in done.text
    assert certificate["certificate_id"] in done.text
    assert "Affiliated app A" in done.text  # the recipient told to delete, by its readable name
    assert PHONE not in done.text and "老师" not in done.text and "luo" not in done.text


def test_the_done_page_needs_an_erasure_in_this_session(site: Site) -> None:
    assert site.client.get(DELETED).status_code == 401
    signed_up(site, "luo")
    assert site.client.get(DELETED).status_code == 401


def test_an_erasure_without_the_form_token_is_refused(site: Site) -> None:
    engine = signed_up(site, "luo")
    response = site.client.post(
        f"{PAGE}/delete", data={"kind": "delete", "confirm": "yes"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert engine.consent.known_subject("luo")
    assert site.client.get(PAGE).status_code == 200
