"""What observing Roundup taught the reader and walker, each on a page built to break it alone.

Roundup's Register page happened to list its sidebar forms before the Register button, so a walker
that pressed the wrong form's button could pass there by luck; here the sidebar's button is the biggest
on the page. The other lessons — a row styled `required`, 邮件地址 as an e-mail, a confirmation mail
ending the walk — are shown on the same small page, served on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.observe.keywords import catalog, mentions
from consentgate.observe.model import Observation, WalkEnd
from consentgate.observe.model import Path as WalkPath
from consentgate.observe.walker import Limits, observe_target
from tests.observe.browser.conftest import Loop, Site, chromium, serve, stop

__all__ = ["chromium"]  # the browser harness's module-scoped Chromium, used here too

FAST = Limits(action=5.0, settle=3.0, idle=1.0, walk=40.0, max_screens=6)

SIGNUP = """<!doctype html><html><head><title>注册</title></head><body>
<form action="/login" method="get" class="sidebar">
  <p>登录 <input name="__login_name" required> <input type="password" name="__login_password" required>
  <input type="submit" value="登录" style="width:320px;height:60px"> 忘记密码了？</p>
</form>
<form action="/registered" method="get">
  <table>
    <tr><th>名字</th><td><input name="realname"></td></tr>
    <tr><th class="required">邮件地址</th><td><input name="address"></td></tr>
  </table>
  <input type="submit" value="注册">
</form>
<p>注意：<span class="required">高亮</span>字段是必须的。</p>
</body></html>"""
REGISTERED = """<!doctype html><html><head><title>注册处理中</title></head><body>
<p>你将很快收到一封确认信。访问邮件中指示的链接，即可完成注册。</p>
<form action="/login" method="get"><input name="__login_name"><input type="password" name="__login_password">
<input type="submit" value="登录"></form></body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    served = serve("127.0.0.1", {"/signup": SIGNUP, "/registered": REGISTERED, "/login": "<p>ok</p>"})
    try:
        yield served
    finally:
        stop(served)


@pytest.fixture(scope="module")
def observation(chromium: Loop, site: Site) -> Observation:
    assert chromium.browser is not None
    return chromium.run(observe_target(site.url + "/signup", browser=chromium.browser, limits=FAST))


def test_the_walker_submits_the_form_it_filled_not_the_biggest_button(
    observation: Observation, site: Site
) -> None:
    paths = [hit[1].split("?", 1)[0] for hit in site.hits]
    assert "/registered" in paths and "/login" not in paths


def test_a_row_styled_required_marks_its_field_required(observation: Observation) -> None:
    screen = observation.walks[0].screens[0]
    fields = {f.name: (f.category, f.required) for f in screen.fields}
    assert fields["realname"] == ("identity.name", False)
    assert fields["address"] == ("contact.email", True)


def test_a_page_asking_for_an_emailed_link_ends_the_walk_after_the_submit(observation: Observation) -> None:
    accept = next(w for w in observation.walks if w.path is WalkPath.ACCEPT)
    assert accept.end is WalkEnd.EMAIL_LINK
    assert [s.title for s in accept.screens] == ["注册", "注册处理中"]


@pytest.mark.parametrize(
    ("text", "asks_for_the_link"),
    [
        ("你将很快收到一封确认信。访问邮件中指示的链接，即可完成注册。", True),  # Roundup, zh
        ("You will shortly receive an email to confirm your registration.", True),  # Roundup, en
        ("请确认信息无误后提交", False),  # "confirm the information": a form, not a mail
        ("确认邮件地址", False),  # a field asking for the address again
    ],
)
def test_only_a_mail_on_its_way_counts_as_asking_for_an_emailed_link(
    text: str, asks_for_the_link: bool
) -> None:
    assert mentions(text, catalog().email_link) is asks_for_the_link
