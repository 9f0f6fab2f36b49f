"""The fixture sites observe is tested against: Starlette apps, one per flow, plus the third party.

- `faulty_site`: the seed case (罗某诉某科技公司): log in, then a questionnaire of 职业/学习目的/英语水平
  that cannot be skipped or refused, then 中英文名 required; no notice anywhere; the phone number goes
  to the third party on submitting the login form, before anything was agreed; geolocation is asked on
  the first page, with no purpose on screen; a 个性化推荐 toggle on it is saved when switched off and shown
  on again after a reload (AVIM 3.5); the privacy policy is five taps from its home (AVIM 1.3).
- `fixed_site`: the same flow fixed: a notice first with 同意 and 仅浏览 of equal size, optional
  questions with their purpose and 跳过/不同意, nothing sent to the third party at all; the browse-only
  home has the same toggle, off, and keeps the person's choice in a cookie; the signed-in home asks for
  notifications saying what for; the policy is two taps from home (我的 › 隐私政策).
- `mobile_site`: the faulty flow, shown only to a phone's user agent; a desktop sees "open on a phone".
- `third_party_site`: the other registrable site (served on 127.0.0.2), which records every hit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.observe.sites import pages

_PHONE_AGENTS = ("iPhone", "Android", "Mobile")


@dataclass
class Hits:
    """What reached the third party: (method, path, query) per request, in order."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)


def _html(title: str, body: str, head: str = "") -> HTMLResponse:
    return HTMLResponse(pages.page(title, body, head=head))


def _next(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def faulty_site(third_party: str, *, phone_only: bool = False) -> Starlette:
    def is_phone(request: Request) -> bool:
        agent = request.headers.get("user-agent", "")
        return not phone_only or any(marker in agent for marker in _PHONE_AGENTS)

    async def signup(request: Request) -> Response:
        if not is_phone(request):
            return _html("请用手机访问", pages.OPEN_ON_PHONE)
        sdk = f'<script src="{third_party}/sdk.js"></script>'
        toggle = pages.setting_toggle(on=True, save=pages.SAVE_TO_SERVER)  # whatever was saved: on again
        body = pages.login("/login", extra=pages.phone_beacon(third_party)) + toggle
        return _html("登录", body, head=sdk + pages.GEOLOCATION_ON_LOAD)

    async def settings(request: Request) -> Response:
        await request.body()  # kept nowhere: the next page shows the default again
        return Response(status_code=204)

    async def buried(request: Request) -> Response:
        path = request.url.path
        return _html("首页" if path == "/home" else "设置", pages.BURIED[path])

    async def login(request: Request) -> Response:
        return _next("/questionnaire")

    async def questionnaire(request: Request) -> Response:
        if request.method == "POST":
            return _next("/profile")
        return _html("完善学习信息", pages.questionnaire("/questionnaire", optional=False))

    async def profile(request: Request) -> Response:
        if request.method == "POST":
            return _next("/home")
        return _html("填写基本信息", pages.basic_info("/profile", optional=False))

    return Starlette(
        routes=[
            Route("/signup", signup),
            Route("/login", login, methods=["POST"]),
            Route("/questionnaire", questionnaire, methods=["GET", "POST"]),
            Route("/profile", profile, methods=["GET", "POST"]),
            Route("/settings", settings, methods=["POST"]),
            Route("/privacy", privacy),
            *(Route(path, buried) for path in pages.BURIED),
        ]
    )


def mobile_site(third_party: str) -> Starlette:
    return faulty_site(third_party, phone_only=True)


def fixed_site() -> Starlette:
    async def signup(request: Request) -> Response:
        return _html("欢迎", pages.NOTICE)

    async def login(request: Request) -> Response:
        if request.method == "POST":
            return _next("/questionnaire")
        return _html("登录", pages.login("/login"))

    async def questionnaire(request: Request) -> Response:
        if request.method == "POST" or request.query_params:
            return _next("/profile")
        return _html("完善学习信息（选填）", pages.questionnaire("/questionnaire", optional=True))

    async def profile(request: Request) -> Response:
        if request.method == "POST" or request.query_params:
            return _next("/home")
        return _html("填写基本信息（选填）", pages.basic_info("/profile", optional=True))

    async def home(request: Request) -> Response:
        if "browse" in request.query_params:
            on = request.cookies.get("recommend") == "on"  # the person's own choice, kept
            toggle = pages.setting_toggle(on=on, save=pages.SAVE_TO_COOKIE)
            return _html("首页", pages.HOME + toggle)
        return _html("首页", pages.HOME + pages.menu(("我的", "/me")) + pages.NOTIFY_WITH_PURPOSE)

    async def me(request: Request) -> Response:
        return _html("我的", pages.NEAR["/me"])

    return Starlette(
        routes=[
            Route("/signup", signup),
            Route("/privacy", privacy),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/questionnaire", questionnaire, methods=["GET", "POST"]),
            Route("/profile", profile, methods=["GET", "POST"]),
            Route("/home", home),
            Route("/me", me),
        ]
    )


async def privacy(request: Request) -> Response:
    return _html("个人信息保护政策", pages.PRIVACY)


def third_party_site(hits: Hits) -> Starlette:
    async def sdk(request: Request) -> Response:
        hits.seen.append((request.method, request.url.path, request.url.query))
        return Response("/* analytics sdk */", media_type="application/javascript")

    async def collect(request: Request) -> Response:
        hits.seen.append((request.method, request.url.path, request.url.query))
        return JSONResponse({"ok": True}, headers={"Access-Control-Allow-Origin": "*"})

    return Starlette(routes=[Route("/sdk.js", sdk), Route("/collect", collect, methods=["GET", "POST"])])
