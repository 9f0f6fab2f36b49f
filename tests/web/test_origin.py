"""Forms are accepted only from this site: `Origin`, or without it `Sec-Fetch-Site`, on top of the token.

Each case posts a real form of the privacy center (a switch that would record a withdrawal) with the
session's valid token, so the only thing that differs is where the browser says the form came from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from consentgate.i18n import message
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import CSRF, Site
from tests.web.pages import visible_words

PRIVACY = "/me/privacy"
SIGN_OUT = "/me/sign-out"


def _post_from(site: Site, headers: dict[str, str]) -> int:
    """Signs out with a valid token, sent with `headers`; the answer's status."""
    token = site.token(PRIVACY)
    answer = site.client.post(SIGN_OUT, data={"csrf_token": token}, headers=headers, follow_redirects=False)
    return answer.status_code


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://127.0.0.1:8001"},  # another port is another origin
        {"Origin": "https://127.0.0.1:8000"},  # and another scheme
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a no-referrer page elsewhere
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is still another origin
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},  # Origin decides when sent
    ],
)
def test_a_form_sent_from_another_site_is_refused_with_a_plain_page(
    site: Site, headers: dict[str, str]
) -> None:
    site.sign_in("li-lei")
    token = site.token(PRIVACY)
    answer = site.client.post(
        SIGN_OUT,
        data={"csrf_token": token},
        headers={**headers, "Accept-Language": "en"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    words = visible_words(answer.text)
    assert message("service.cross_site_rejected").en in words
    assert "service." not in words and "cross_site" not in words  # no code on the page
    assert site.client.get(PRIVACY, follow_redirects=False).status_code == 200  # still signed in


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:8000"},
        {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the person themselves
        # What Chromium sends for our own forms: the pages' no-referrer policy makes Origin `null`.
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        {},  # no browser headers at all: the token alone decides
    ],
)
def test_a_form_from_this_site_passes(site: Site, headers: dict[str, str]) -> None:
    site.sign_in("li-lei")
    assert _post_from(site, headers) == 303
    assert site.client.get(PRIVACY, follow_redirects=False).status_code == 401  # it took effect


def test_this_sites_origin_without_the_token_is_still_refused(site: Site) -> None:
    site.sign_in("li-lei")
    answer = site.client.post(
        SIGN_OUT, data={}, headers={"Origin": "http://127.0.0.1:8000"}, follow_redirects=False
    )
    assert answer.status_code == 403


def test_behind_a_proxy_the_public_urls_origin_is_this_site(tmp_path: Path) -> None:
    """The proxy ends https and forwards plain http to 127.0.0.1: the browser's origin is the public URL's."""
    settings = Settings(
        manifest=SEED_FIXED,
        database_url=f"sqlite:///{tmp_path}/proxy.db",
        public_url="https://privacy.example.com",
    )
    refused = message("service.cross_site_rejected").zh
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        for origin, allowed in (
            ("https://privacy.example.com", True),
            ("https://privacy.example.com:443", True),
            ("http://127.0.0.1:8000", True),  # the request's own host, as it reached the service
            ("http://privacy.example.com", False),
            ("https://evil.example", False),
        ):
            page = client.get("/console/login")
            found = CSRF.search(page.text)
            assert found is not None
            # The cookie is Secure (the public URL is https) and this hop is plain http, as behind the
            # proxy: the test client would not send it back, so the browser's copy is sent by hand.
            cookie = page.headers["set-cookie"].split(";", 1)[0]
            answer = client.post(
                "/console/login",
                data={"csrf_token": found.group(1), "api_key": "nonsense"},
                headers={"Origin": origin, "Cookie": cookie},
                follow_redirects=False,
            )
            # From this site a wrong key gets the sign-in page again (401); from elsewhere, the refusal.
            assert answer.status_code == (401 if allowed else 403), origin
            assert (refused in answer.text) is not allowed, origin
