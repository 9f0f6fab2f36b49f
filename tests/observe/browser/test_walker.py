"""The walker refuses first, then accepts, on a small flow served locally, and ends every walk with its reason."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path as FilePath

import pytest

from consentgate.errors import UsageError
from consentgate.observe.browser import new_context
from consentgate.observe.flow import parse_flow
from consentgate.observe.model import Observation, Party, Path, Phase, WalkEnd
from consentgate.observe.persona import DEFAULT_PERSONA
from consentgate.observe.walker import Limits, observe, observe_target
from tests.observe.browser.conftest import Loop, Response, Site, serve, stop

FAST = Limits(action=5.0, settle=3.0, idle=1.0, walk=40.0, max_screens=8)


def _pages(third: str) -> dict[str, Response | str]:
    welcome = """<!doctype html><html><head><title>欢迎</title></head><body>
<div role="dialog"><p>请阅读<a href="/privacy">《隐私政策》</a>。我们会收集手机号用于注册。</p>
<button id="yes" style="width:280px;height:44px">同意</button> <a href="/home">不同意</a></div>
<script>
  navigator.geolocation.getCurrentPosition(() => {}, () => {});
  document.cookie = 'uid=abc; max-age=3600; path=/';
  localStorage.setItem('seen', '1');
  document.getElementById('yes').onclick = () => { location.href = '/signup'; };
</script></body></html>"""
    signup = f"""<!doctype html><html><head><title>注册</title></head><body>
<form id="f" action="/home" method="get">
  <label for="m">手机号 *</label><input id="m" type="tel" name="mobile" required>
  <label><input type="checkbox" name="ok" required> 我已阅读并同意《隐私政策》</label>
  <label><input type="checkbox" name="ads"> 同意接收营销信息</label>
  <button type="submit">注册</button>
</form>
<script>
  Notification.requestPermission();
  document.getElementById('f').addEventListener('submit', () => {{
    fetch('{third}/collect?m=' + encodeURIComponent(document.getElementById('m').value), {{keepalive: true, mode: 'no-cors'}});
  }});
</script></body></html>"""
    home = "<!doctype html><html><head><title>首页</title></head><body><h1>首页</h1><p>今日推荐</p></body></html>"
    shown = """<!doctype html><html><body><p>演示环境：您的验证码是 482913</p><form action="/home">
<label for="c">验证码</label><input id="c" name="code"><button type="submit">登录</button></form></body></html>"""
    sms = """<!doctype html><html><body><form action="/home">
<label for="p">手机号</label><input id="p" name="phone"><label for="c">短信验证码</label><input id="c" name="code">
<button type="submit">登录</button></form></body></html>"""
    wall = "<!doctype html><html><body><p>请先登录</p><input name=u><input type=password name=p><button>登录</button></body></html>"
    captcha = '<!doctype html><html><body><p>请拖动滑块完成安全验证</p><div class="captcha-box"></div></body></html>'
    return {
        "/": welcome,
        "/signup": signup,
        "/home": home,
        "/privacy": home,
        "/hang": '<img src="/never">',
        "/wall": wall,
        "/sms": sms,
        "/sms-shown": shown,
        "/captcha": captcha,
    }


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    third = serve("127.0.0.2", {"/collect": "ok"})
    app = serve("127.0.0.1", _pages(third.url))
    try:
        yield app, third
    finally:
        stop(app)
        stop(third)


@pytest.fixture(scope="module")
def observed(
    chromium: Loop, sites: tuple[Site, Site], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Observation, FilePath]:
    assert chromium.browser is not None
    evidence = tmp_path_factory.mktemp("evidence")
    app, _ = sites
    return chromium.run(
        observe_target(app.url + "/", browser=chromium.browser, evidence_dir=evidence, limits=FAST)
    ), evidence


def test_refusal_is_walked_first_then_acceptance(observed: tuple[Observation, FilePath]) -> None:
    observation, evidence = observed
    refuse, accept = observation.walks
    assert (refuse.path, accept.path) == (Path.REFUSE, Path.ACCEPT)
    assert refuse.end is WalkEnd.COMPLETED and refuse.refused_at is not None and refuse.agreed_at is None
    assert refuse.screens[-1].title == "首页"
    assert accept.end is WalkEnd.COMPLETED and accept.agreed_at is not None
    assert [s.title for s in accept.screens] == ["欢迎", "注册", "注册", "首页"]
    assert accept.screens[0].phase is Phase.NOTICE
    assert [s.phase for s in accept.screens[1:]] == [Phase.AGREED, Phase.ONBOARDING, Phase.ONBOARDING]
    for walk in observation.walks:
        for screen in walk.screens:
            assert screen.screenshot is not None and (evidence / screen.screenshot).is_file()


def test_only_the_box_the_page_requires_is_ticked(observed: tuple[Observation, FilePath]) -> None:
    accept = observed[0].walks[1]
    assert accept.ticked == ("我已阅读并同意《隐私政策》",)


def test_the_phone_sent_to_a_third_party_is_recorded_without_its_value(
    observed: tuple[Observation, FilePath],
) -> None:
    observation = observed[0]
    accept = observation.walks[1]
    (sent,) = [r for r in accept.requests if r.host == "127.0.0.2"]
    assert sent.party is Party.THIRD and sent.site == "127.0.0.2"
    assert [(d.category, d.key) for d in sent.sent] == [("contact.phone", "m")]
    assert sent.url.endswith("/collect?m")
    assert sent.seq > accept.agreed_at  # type: ignore[operator]
    assert DEFAULT_PERSONA.phone not in json.dumps(observation.model_dump(mode="json"), ensure_ascii=False)
    assert all(r.party is Party.FIRST for r in observation.walks[0].requests)


def test_a_geolocation_ask_on_load_is_recorded_before_any_choice(
    observed: tuple[Observation, FilePath],
) -> None:
    for walk in observed[0].walks:
        (ask,) = [p for p in walk.permissions if p.permission == "geolocation"]
        assert ask.phase is Phase.LOADED
        choice = walk.refused_at if walk.path is Path.REFUSE else walk.agreed_at
        assert choice is not None and ask.seq < choice


def test_a_closed_port_ends_unreachable_with_a_bilingual_detail(chromium: Loop) -> None:
    assert chromium.browser is not None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    observation = chromium.run(
        observe_target(f"http://127.0.0.1:{port}/", browser=chromium.browser, limits=FAST)
    )
    (walk,) = observation.walks  # an unreachable target is not walked twice
    assert walk.end is WalkEnd.UNREACHABLE
    assert walk.end_detail is not None and "cannot reach" in walk.end_detail and "无法访问" in walk.end_detail


def test_a_page_that_never_settles_ends_with_timeout(chromium: Loop, sites: tuple[Site, Site]) -> None:
    assert chromium.browser is not None
    observation = chromium.run(observe_target(sites[0].url + "/hang", browser=chromium.browser, limits=FAST))
    assert observation.walks[0].end is WalkEnd.TIMEOUT
    assert "never finished loading" in (observation.walks[0].end_detail or "")


def test_a_redirect_loop_ends_unreachable(chromium: Loop, sites: tuple[Site, Site]) -> None:
    assert chromium.browser is not None
    observation = chromium.run(observe_target(sites[0].url + "/loop", browser=chromium.browser, limits=FAST))
    assert observation.walks[0].end is WalkEnd.UNREACHABLE
    assert "redirects in a loop" in (observation.walks[0].end_detail or "")


def test_a_code_it_cannot_read_ends_with_sms_code_and_the_flow_supplies_one(
    chromium: Loop, sites: tuple[Site, Site]
) -> None:
    assert chromium.browser is not None
    app = sites[0]
    stuck = chromium.run(observe_target(app.url + "/sms", browser=chromium.browser, limits=FAST))
    assert stuck.walks[1].end is WalkEnd.SMS_CODE and "--flow" in (stuck.walks[1].end_detail or "")
    flow = parse_flow("steps:\n  - code: '123456'\n  - click: {text: 登录}\n")
    scripted = chromium.run(
        observe_target(app.url + "/sms", browser=chromium.browser, flow=flow, limits=FAST)
    )
    (walk,) = scripted.walks
    assert walk.path is Path.FLOW and walk.end is WalkEnd.COMPLETED
    assert walk.screens[-1].title == "首页"
    assert any("/home?" in h[1] and "code=123456" in h[1] for h in app.hits)


def test_a_code_shown_on_the_page_is_typed(chromium: Loop, sites: tuple[Site, Site]) -> None:
    assert chromium.browser is not None
    app = sites[0]
    observation = chromium.run(observe_target(app.url + "/sms-shown", browser=chromium.browser, limits=FAST))
    assert observation.walks[1].end is WalkEnd.COMPLETED
    assert any("code=482913" in h[1] for h in app.hits)


def test_cookies_and_storage_set_on_load_carry_the_loaded_phase(
    observed: tuple[Observation, FilePath],
) -> None:
    for walk in observed[0].walks:
        (cookie,) = [c for c in walk.cookies if c.name == "uid"]
        assert (
            cookie.phase in (Phase.LOADED, Phase.NOTICE) and cookie.persistent and cookie.party is Party.FIRST
        )
        (stored,) = [s for s in walk.storage if s.key == "seen"]
        assert stored.kind == "local" and stored.phase in (Phase.LOADED, Phase.NOTICE)


def test_a_permission_asked_after_agreeing_carries_that_phase(observed: tuple[Observation, FilePath]) -> None:
    accept = observed[0].walks[1]
    (ask,) = [p for p in accept.permissions if p.permission == "notifications"]
    assert ask.phase is Phase.AGREED and ask.seq > accept.agreed_at  # type: ignore[operator]
    assert not [p for p in observed[0].walks[0].permissions if p.permission == "notifications"]


def test_a_captcha_ends_the_walk_unconfirmed(chromium: Loop, sites: tuple[Site, Site]) -> None:
    assert chromium.browser is not None
    observation = chromium.run(
        observe_target(sites[0].url + "/captcha", browser=chromium.browser, limits=FAST)
    )
    assert {w.end for w in observation.walks} == {WalkEnd.CAPTCHA}


def test_a_login_wall_without_sign_up_ends_the_walk(chromium: Loop, sites: tuple[Site, Site]) -> None:
    assert chromium.browser is not None
    observation = chromium.run(observe_target(sites[0].url + "/wall", browser=chromium.browser, limits=FAST))
    assert {w.end for w in observation.walks} == {WalkEnd.LOGIN_WALL}


def test_the_sync_convenience_launches_and_closes_its_own_browser() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert observe(f"http://127.0.0.1:{port}/", limits=FAST).walks[0].end is WalkEnd.UNREACHABLE


def test_a_device_name_emulates_it_and_a_typo_gets_a_did_you_mean(chromium: Loop) -> None:
    assert chromium.browser is not None
    browser = chromium.browser

    async def agent() -> str:
        context = await new_context(browser, "iPhone 13")
        try:
            page = await context.new_page()
            return str(await page.evaluate("navigator.userAgent"))
        finally:
            await context.close()

    assert "iPhone" in chromium.run(agent())
    with pytest.raises(UsageError) as caught:
        chromium.run(new_context(browser, "iPhone13"))
    assert "did you mean 'iPhone 13'" in caught.value.text.en and "iPhone 13" in caught.value.text.zh
