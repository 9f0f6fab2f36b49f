"""The walker's looks beyond the flow, in Chromium: settings it set read again after the refusal walk
(AVIM 3.5), the policy searched from the main screen (AVIM 1.3), and what the screen says beside a
permission ask (AVIM 2.3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.observe.infer import infer, judge
from consentgate.observe.model import Observation, Path, SettingKind, Walk
from consentgate.observe.walker import Limits, observe_target
from tests.observe.browser.conftest import Loop, Response, Site, serve, stop

FAST = Limits(action=5.0, settle=3.0, idle=1.0, walk=40.0, max_screens=8)


def _page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><meta charset=utf-8><title>页面</title>{head}</head><body>{body}</body></html>"


# Turned back on by the page itself once it has been seen before: what a relaunch that restores defaults does.
RESETS = _page(
    """<label><input type="checkbox" role="switch" id="rec" checked> 开启个性化推荐</label>
<label><input type="checkbox" id="sms"> 接收营销短信</label>
<a href="/done">以后再说</a>
<script>
  document.getElementById('rec').addEventListener('change', (e) => {
    fetch('/save', {method: 'POST', body: 'recommend=' + (e.target.checked ? 'on' : 'off')});
  });
  if (localStorage.getItem('seen')) { document.getElementById('rec').checked = true; document.getElementById('sms').checked = true; }
  localStorage.setItem('seen', '1');
</script>"""
)
# Keeps each choice (one of them an ARIA switch) and shows it again on reload.
KEEPS = _page(
    """<label><input type="checkbox" id="rec" checked> 开启个性化推荐</label>
<div role="switch" id="push" tabindex="0" aria-checked="true" aria-label="消息推送">●</div>
<a href="/done">以后再说</a>
<script>
  const rec = document.getElementById('rec'), push = document.getElementById('push');
  if (localStorage.getItem('rec')) rec.checked = localStorage.getItem('rec') === 'on';
  if (localStorage.getItem('push')) push.setAttribute('aria-checked', String(localStorage.getItem('push') === 'on'));
  rec.addEventListener('change', () => localStorage.setItem('rec', rec.checked ? 'on' : 'off'));
  push.addEventListener('click', () => {
    const on = push.getAttribute('aria-checked') !== 'true';
    push.setAttribute('aria-checked', String(on)); localStorage.setItem('push', on ? 'on' : 'off');
  });
</script>"""
)
ASK = "<script>navigator.geolocation.getCurrentPosition(() => {}, () => {});</script>"


def _menu(*links: tuple[str, str]) -> str:
    return "".join(f'<p><a href="{href}">{text}</a></p>' for text, href in links)


def _routes() -> dict[str, Response | str]:
    return {
        "/resets": RESETS,
        "/keeps": KEEPS,
        "/done": _page("<p>首页</p>"),
        "/save": "ok",
        "/ask-with-purpose": _page("<p>获取位置用于推荐附近的课程。</p>", head=ASK),
        "/ask-without": _page("<p>欢迎来到首页。</p>", head=ASK),
        "/ask-and-reset": RESETS.replace("</head>", ASK + "</head>"),
        # Five taps from main; 退出登录 is never tapped while looking.
        "/far": _page(_menu(("我的", "/far/me"), ("退出登录", "/logout"))),
        "/far/me": _page(_menu(("设置", "/far/settings"), ("首页", "/far"))),
        "/far/settings": _page(_menu(("通用设置", "/far/general"))),
        "/far/general": _page(_menu(("关于我们", "/far/about"))),
        "/far/about": _page(_menu(("隐私政策", "/privacy"))),
        "/privacy": _page("<p>隐私政策全文</p>"),
        "/logout": _page("<p>已退出</p>"),
        # A menu that opens without navigating: 我的 swaps the page's content, then 隐私政策 is one tap away.
        "/spa": _page(
            """<div id="app"><button type="button" id="me">我的</button></div><script>
document.getElementById('me').onclick = () => {
  document.getElementById('app').innerHTML = '<a href="/privacy">隐私政策</a>';
};</script>"""
        ),
        "/nowhere": _page(_menu(("我的", "/nowhere/me"))),
        "/nowhere/me": _page(_menu(("设置", "/nowhere"), ("帮助", "/nowhere/help"))),
        "/nowhere/help": _page("<p>常见问题</p>"),
    }


@pytest.fixture(scope="module")
def app() -> Iterator[Site]:
    site = serve("127.0.0.1", _routes())
    try:
        yield site
    finally:
        stop(site)


def _observe(chromium: Loop, url: str) -> Observation:
    assert chromium.browser is not None
    return chromium.run(observe_target(url, browser=chromium.browser, limits=FAST))


def _walk(observation: Observation, path: Path) -> Walk:
    return next(w for w in observation.walks if w.path is path)


def test_settings_the_refusal_walk_left_off_and_the_page_turned_on_again_are_changes(
    chromium: Loop, app: Site
) -> None:
    observation = _observe(chromium, app.url + "/resets")
    refuse = _walk(observation, Path.REFUSE)
    boxes = [s for s in refuse.settings_set if s.kind is SettingKind.BOX]
    assert [(s.setting, s.state) for s in boxes] == [("开启个性化推荐", "off"), ("接收营销短信", "off")]
    assert ("POST", "/save", b"recommend=off") in app.hits, "the switch-off reached the app before the reload"
    changed = {c.setting: c.found for c in refuse.setting_checks if c.changed}
    assert changed == {"开启个性化推荐": "on", "接收营销短信": "on"}
    findings = [f for f in judge(infer(observation)) if f.rule_id == "CG-AVIM-035-SETTING-CHANGED"]
    assert len(findings) == 2 and all(f.active and not f.unconfirmed for f in findings)


def test_settings_the_page_keeps_as_set_are_no_change_and_an_aria_switch_counts(
    chromium: Loop, app: Site
) -> None:
    refuse = _walk(_observe(chromium, app.url + "/keeps"), Path.REFUSE)
    assert {s.setting for s in refuse.settings_set} == {"开启个性化推荐", "消息推送"}
    assert {(c.setting, c.found) for c in refuse.setting_checks} == {
        ("开启个性化推荐", "off"),
        ("消息推送", "off"),
    }
    assert not any(c.changed for c in refuse.setting_checks)


def test_a_denied_permission_is_a_setting_the_refusal_walk_set_and_a_reload_asking_again_is_not(
    chromium: Loop, app: Site
) -> None:
    refuse = _walk(_observe(chromium, app.url + "/ask-and-reset"), Path.REFUSE)
    assert len(refuse.permissions) == 2, "asked on load, and again when the settings' page was reloaded"
    denied = [(s.setting, s.state) for s in refuse.settings_set if s.kind is SettingKind.PERMISSION]
    assert denied == [("geolocation", "denied")]


def test_a_permission_ask_records_whether_the_screen_states_its_purpose(chromium: Loop, app: Site) -> None:
    (shown,) = _walk(_observe(chromium, app.url + "/ask-with-purpose"), Path.ACCEPT).permissions
    assert shown.purpose_shown is True and shown.purpose_text == "获取位置用于推荐附近的课程"
    (bare,) = _walk(_observe(chromium, app.url + "/ask-without"), Path.ACCEPT).permissions
    assert bare.purpose_shown is False and bare.purpose_text is None


def test_the_policy_is_counted_from_the_main_screen_through_menus_and_never_by_logging_out(
    chromium: Loop, app: Site
) -> None:
    search = _walk(_observe(chromium, app.url + "/far"), Path.ACCEPT).policy_search
    assert search is not None and search.complete
    assert search.taps == 5 and search.via == ("我的", "设置", "通用设置", "关于我们", "隐私政策")
    assert not [h for h in app.hits if h[1] == "/logout"]


def test_a_menu_that_opens_without_navigating_is_searched_too(chromium: Loop, app: Site) -> None:
    search = _walk(_observe(chromium, app.url + "/spa"), Path.ACCEPT).policy_search
    assert search is not None and (search.taps, search.via) == (2, ("我的", "隐私政策"))


def test_a_search_through_every_menu_that_finds_no_policy_says_so(chromium: Loop, app: Site) -> None:
    observation = _observe(chromium, app.url + "/nowhere")
    search = _walk(observation, Path.ACCEPT).policy_search
    assert search is not None and search.complete and search.taps is None and search.pages_read >= 3
