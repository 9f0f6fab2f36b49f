"""The fixture sites serve what the observe tests expect of them (plain HTTP, no browser)."""

from __future__ import annotations

import httpx

from tests.observe.conftest import Sites

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def _get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, follow_redirects=True, timeout=10)


def test_faulty_login_sends_the_phone_to_another_site_and_asks_for_location(sites: Sites) -> None:
    html = _get(sites.faulty).text
    assert "手机号" in html and "登录" in html
    assert f"{sites.third_party}/collect?phone=" in html
    assert f'src="{sites.third_party}/sdk.js"' in html
    assert "geolocation.getCurrentPosition" in html
    assert "隐私政策" not in html and "个人信息保护政策" not in html
    assert sites.third_party.startswith("http://127.0.0.2:") and sites.faulty.startswith("http://127.0.0.1:")


def test_faulty_questionnaire_and_names_are_required_with_no_way_out(sites: Sites) -> None:
    base = sites.faulty.removesuffix("/signup")
    after_login = httpx.post(f"{base}/login", data={"username": "u", "password": "p", "phone": "13800138000"})
    assert after_login.status_code == 303 and after_login.headers["location"] == "/questionnaire"
    questions = _get(f"{base}/questionnaire").text
    for label in ("职业", "学习目的", "英语水平"):
        assert label in questions
    assert questions.count(" required") == 3
    assert not any(word in questions for word in ("跳过", "不同意", "拒绝", "以后再说"))
    profile = _get(f"{base}/profile").text
    assert "中文名" in profile and "英文名" in profile and profile.count(" required") == 2


def test_fixed_flow_opens_on_a_notice_with_equal_agree_and_browse(sites: Sites) -> None:
    html = _get(sites.fixed).text
    assert "个人信息保护政策" in html and 'href="/privacy"' in html
    assert (
        '<a class="button" href="/login">同意</a><a class="button" href="/home?browse=1">仅浏览</a>' in html
    )
    assert "127.0.0.2" not in html
    assert _get(sites.fixed.replace("/signup", "/home?browse=1")).status_code == 200


def test_fixed_questions_are_optional_with_skip_and_refuse(sites: Sites) -> None:
    base = sites.fixed.removesuffix("/signup")
    questions = _get(f"{base}/questionnaire").text
    assert " required" not in questions and "跳过" in questions and "不同意" in questions
    assert "用于为你推荐合适的课程" in questions
    skipped = httpx.get(f"{base}/questionnaire?skipped=1")
    assert skipped.status_code == 303 and skipped.headers["location"] == "/profile"
    assert " required" not in _get(f"{base}/profile").text


def test_mobile_variant_shows_the_flow_only_to_a_phone(sites: Sites) -> None:
    assert "请在手机上打开" in _get(sites.mobile, **{"user-agent": DESKTOP}).text
    phone = _get(sites.mobile, **{"user-agent": IPHONE}).text
    assert "手机号" in phone and "collect?phone=" in phone


def test_third_party_records_what_reaches_it(sites: Sites) -> None:
    before = len(sites.hits.seen)
    httpx.post(f"{sites.third_party}/collect?phone=13800138000", timeout=10)
    assert sites.hits.seen[before:] == [("POST", "/collect", "phone=13800138000")]
