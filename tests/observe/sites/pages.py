"""The pages of the fixture sign-up flows, in Chinese as a real app shows them.

One layout (`page`) and the screens the flows are made of. The third party's base URL is put into the
pages that contact it; the first party never names it otherwise.
"""

from __future__ import annotations

from html import escape

_STYLE = """
body { font: 16px/1.5 "Noto Sans CJK SC", sans-serif; margin: 0; padding: 1rem; max-width: 30rem; }
label { display: block; margin: .6rem 0 .2rem; }
input, select { width: 100%; padding: .5rem; font-size: 1rem; }
button, .button { display: inline-block; width: 9rem; padding: .7rem 0; margin: .5rem .3rem 0 0; font-size: 1rem;
  text-align: center; border: 1px solid #333; border-radius: 4px; background: #1677ff; color: #fff; text-decoration: none; }
.tiny { font-size: .7rem; color: #bbb; background: none; border: none; width: auto; padding: 0; }
.notice { border: 1px solid #ccc; padding: .8rem; border-radius: 4px; }
.req { color: #c00; }
"""


def page(title: str, body: str, *, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style>{head}</head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _required(text: str, required: bool) -> str:
    return f'{text}<span class="req">*</span>' if required else f"{text}（选填）"


def _choice(name: str, label: str, options: tuple[str, ...], *, required: bool) -> str:
    opts = "".join(f"<option>{escape(o)}</option>" for o in options)
    flag = " required" if required else ""
    return (
        f'<label for="{name}">{_required(label, required)}</label>'
        f'<select id="{name}" name="{name}"{flag}><option value="">请选择</option>{opts}</select>'
    )


def _text(name: str, label: str, *, required: bool, kind: str = "text") -> str:
    flag = " required" if required else ""
    return (
        f'<label for="{name}">{_required(label, required)}</label>'
        f'<input id="{name}" name="{name}" type="{kind}"{flag}>'
    )


GEOLOCATION_ON_LOAD = "<script>navigator.geolocation.getCurrentPosition(function(){}, function(){});</script>"


def phone_beacon(third_party: str) -> str:
    """On submit, the phone number leaves for the third party: before anything was agreed."""
    return (
        "<script>document.querySelector('form').addEventListener('submit', function () {"
        "var phone = document.getElementById('phone').value;"
        f"navigator.sendBeacon('{third_party}/collect?phone=' + encodeURIComponent(phone));"
        "});</script>"
    )


def login(action: str, *, extra: str = "") -> str:
    fields = (
        _text("username", "用户名", required=True)
        + _text("password", "密码", required=True, kind="password")
        + _text("phone", "手机号", required=True, kind="tel")
    )
    return f'<form method="post" action="{action}">{fields}<button type="submit">登录</button></form>{extra}'


QUESTIONS = (
    ("occupation", "职业", ("学生", "教师", "工程师", "其他")),
    ("purpose", "学习目的", ("考试", "工作", "出国", "兴趣")),
    ("level", "英语水平", ("入门", "中级", "高级")),
)


def questionnaire(action: str, *, optional: bool) -> str:
    """The seed case's questionnaire; fixed, it states its purpose and can be skipped or refused."""
    fields = "".join(_choice(n, label, opts, required=not optional) for n, label, opts in QUESTIONS)
    if not optional:
        return f'<form method="post" action="{action}">{fields}<button type="submit">下一步</button></form>'
    purpose = '<p class="purpose">以下问题用于为你推荐合适的课程，均为选填，不填写不影响使用。</p>'
    refuse = (
        f'<a class="button" href="{action}?skipped=1">跳过</a>'
        f'<a class="button" href="{action}?refused=1">不同意</a>'
    )
    return f'{purpose}<form method="post" action="{action}">{fields}<button type="submit">提交</button></form>{refuse}'


def basic_info(action: str, *, optional: bool) -> str:
    fields = _text("name_zh", "中文名", required=not optional) + _text(
        "name_en", "英文名", required=not optional
    )
    skip = f'<a class="button" href="{action}?skipped=1">跳过</a>' if optional else ""
    purpose = '<p class="purpose">姓名用于课程证书上的署名，选填。</p>' if optional else ""
    return f'{purpose}<form method="post" action="{action}">{fields}<button type="submit">完成注册</button></form>{skip}'


NOTICE = (
    '<div class="notice"><h2>个人信息保护政策摘要</h2>'
    "<p>欢迎使用。我们仅在你同意后收集注册所需的用户名、密码和手机号，用于创建账号和登录；"
    "学习问卷和姓名均为选填。你可以选择仅浏览，不提供任何个人信息。"
    '详见<a href="/privacy">《个人信息保护政策》</a>。</p></div>'
    '<a class="button" href="/login">同意</a><a class="button" href="/home?browse=1">仅浏览</a>'
)

PRIVACY = (
    "<p>处理者：示例英语学习有限公司。我们收集用户名、密码和手机号用于创建账号和登录，保存至注销账号后30日。"
    "学习问卷（职业、学习目的、英语水平）用于推荐课程，姓名用于证书署名，均为选填，可随时删除。"
    "我们不向第三方提供你的个人信息。你可以通过 privacy@example.com 行使查阅、更正、删除等权利。</p>"
)

HOME = "<p>欢迎来到首页。</p>"
OPEN_ON_PHONE = "<p>请在手机上打开本页面，扫码或用手机浏览器访问。</p>"


def setting_toggle(*, on: bool, save: str) -> str:
    """A 个性化推荐 toggle (a checkbox drawn as a switch); `save` is the script run when it changes."""
    checked = " checked" if on else ""
    return (
        '<div class="setting"><label><input type="checkbox" role="switch" id="recommend"'
        f"{checked}> 开启个性化推荐</label></div>"
        f"<script>document.getElementById('recommend').addEventListener('change', function (e) {{{save}}});</script>"
    )


# Saved to the server at once: the faulty site then ignores what it saved and shows the toggle on again.
SAVE_TO_SERVER = (
    "fetch('/settings', {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'},"
    " body: 'recommend=' + (e.target.checked ? 'on' : 'off')});"
)
# Kept in a cookie that the fixed site reads back.
SAVE_TO_COOKIE = "document.cookie = 'recommend=' + (e.target.checked ? 'on' : 'off') + '; path=/';"


def menu(*links: tuple[str, str]) -> str:
    """Menu entries as a person taps them: text and where it leads."""
    return "".join(f'<p><a href="{href}">{escape(text)}</a></p>' for text, href in links)


# The faulty site's policy, five taps from its home: 我的 › 设置 › 通用设置 › 关于我们 › 隐私政策.
BURIED = {
    "/home": menu(("今日课程", "/courses"), ("我的", "/me")),
    "/me": menu(("我的课程", "/courses"), ("设置", "/settings"), ("首页", "/home")),
    "/settings": menu(("通用设置", "/settings/general"), ("返回", "/me")),
    "/settings/general": menu(("字体大小", "/settings/general"), ("关于我们", "/about")),
    "/about": "<p>示例英语学习有限公司，版本 1.0。</p>" + menu(("《隐私政策》", "/privacy")),
    "/courses": "<p>今日推荐课程：新概念英语第一册。</p>",
}

# The fixed site's, two taps from its home: 我的 › 隐私政策.
NEAR = {
    "/me": menu(("隐私政策", "/privacy"), ("首页", "/home")),
}

# After agreeing, the fixed home asks to send notifications, and says what for while it asks.
NOTIFY_WITH_PURPOSE = (
    "<p>开启通知，以便在课程开始前提醒你。</p><script>Notification.requestPermission();</script>"
)
