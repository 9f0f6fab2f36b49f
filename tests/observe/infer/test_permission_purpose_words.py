"""Whether a screen states a permission's purpose, read from its words as a person reads them (AVIM 2.3)."""

from __future__ import annotations

import pytest

from consentgate.observe.keywords import permission_purpose


@pytest.mark.parametrize(
    ("text", "permission"),
    [
        ("欢迎！获取位置用于推荐附近的课程。", "geolocation"),
        ("为了在课程开始前提醒你，请允许通知", "notifications"),
        ("We use your location to show courses nearby.", "geolocation"),
        ("Allow the camera so that you can scan a course code", "camera"),
    ],
)
def test_one_sentence_naming_the_function_and_what_for_states_the_purpose(text: str, permission: str) -> None:
    assert permission_purpose(text, permission) is not None


@pytest.mark.parametrize(
    ("text", "permission"),
    [
        ("欢迎来到首页。用户名 密码 手机号", "geolocation"),  # nothing about location
        (
            "我们需要你的位置。本应用用于学习英语。",
            "geolocation",
        ),  # location and 用于, in different sentences
        ("Welcome to the app. Share your location.", "geolocation"),  # "to" before, not about location
        ("获取位置用于推荐附近的课程", "camera"),  # a purpose, but of another permission
    ],
)
def test_words_that_do_not_say_what_this_permission_is_for_state_no_purpose(
    text: str, permission: str
) -> None:
    assert permission_purpose(text, permission) is None


def test_the_sentence_kept_is_the_one_that_states_it_trimmed() -> None:
    assert (
        permission_purpose("首页\n  开启通知，以便  提醒你上课。其他", "notifications")
        == "开启通知，以便 提醒你上课"
    )
