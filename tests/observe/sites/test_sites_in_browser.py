"""In Debian's Chromium the fixture sites do what the observe tests rely on: the faulty flow's phone
number reaches the other loopback site before anything is agreed, and geolocation is asked on load."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.observe.conftest import Sites

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
ASKS = (
    "window.__asks = []; const real = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);"
    "navigator.geolocation.getCurrentPosition = (...a) => { window.__asks.push('geolocation'); return real(...a); };"
)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


def test_faulty_flow_sends_the_phone_to_the_third_party_and_asks_for_location(
    browser: Browser, sites: Sites
) -> None:
    context = browser.new_context(locale="zh-CN")
    try:
        context.add_init_script(ASKS)
        page = context.new_page()
        page.goto(sites.faulty)
        assert page.evaluate("window.__asks") == ["geolocation"]
        page.get_by_label("用户名").fill("luo")
        page.get_by_label("密码").fill("secret")
        page.get_by_label("手机号").fill("13800138000")
        with page.expect_request(lambda r: "/collect?phone=" in r.url) as beacon:
            page.get_by_role("button", name="登录").click()
        assert beacon.value.url.startswith(sites.third_party)
        page.wait_for_url("**/questionnaire")
        assert page.get_by_role("button").all_inner_texts() == ["下一步"]
    finally:
        context.close()


def test_phone_only_variant_differs_by_device(playwright: Playwright, browser: Browser, sites: Sites) -> None:
    iphone = playwright.devices["iPhone 13"]
    for device, expected in (({}, "请在手机上打开"), (iphone, "手机号")):
        context = browser.new_context(**device)
        try:
            page = context.new_page()
            page.goto(sites.mobile)
            assert expected in page.content()
        finally:
            context.close()
