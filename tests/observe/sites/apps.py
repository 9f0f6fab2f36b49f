"""The fixture sites observe is tested against: Starlette apps, one per flow, plus the third party.

- `faulty_site`: the seed case (罗某诉某科技公司): log in, then a questionnaire of 职业/学习目的/英语水平
  that cannot be skipped or refused, then 中英文名 required; no notice anywhere; the phone number goes
  to the third party on submitting the login form, before anything was agreed; geolocation is asked on
  the first page.
- `fixed_site`: the same flow fixed: a notice first with 同意 and 仅浏览 of equal size, optional
  questions with their purpose and 跳过/不同意, nothing sent to the third party at all.
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
        body = pages.login("/login", extra=pages.phone_beacon(third_party))
        return _html("登录", body, head=sdk + pages.GEOLOCATION_ON_LOAD)

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
            Route("/home", _home),
        ]
    )


def mobile_site(third_party: str) -> Starlette:
    return faulty_site(third_party, phone_only=True)


def fixed_site() -> Starlette:
    async def signup(request: Request) -> Response:
        return _html("欢迎", pages.NOTICE)

    async def privacy(request: Request) -> Response:
        return _html("个人信息保护政策", pages.PRIVACY)

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

    return Starlette(
        routes=[
            Route("/signup", signup),
            Route("/privacy", privacy),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/questionnaire", questionnaire, methods=["GET", "POST"]),
            Route("/profile", profile, methods=["GET", "POST"]),
            Route("/home", _home),
        ]
    )


async def _home(request: Request) -> Response:
    return _html("首页", pages.HOME)


def third_party_site(hits: Hits) -> Starlette:
    async def sdk(request: Request) -> Response:
        hits.seen.append((request.method, request.url.path, request.url.query))
        return Response("/* analytics sdk */", media_type="application/javascript")

    async def collect(request: Request) -> Response:
        hits.seen.append((request.method, request.url.path, request.url.query))
        return JSONResponse({"ok": True}, headers={"Access-Control-Allow-Origin": "*"})

    return Starlette(routes=[Route("/sdk.js", sdk), Route("/collect", collect, methods=["GET", "POST"])])
