"""The harness end to end: a served page, a real click through a form POST, a kept screenshot."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, LiveServer, Shot

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def greeting_app() -> FastAPI:
    """A page whose text changes only after the browser posts the form and follows the redirect."""
    app = FastAPI()
    state = {"greeting": "Not yet pressed / 尚未点击"}

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>harness</title></head>
<body style="font-size: 32px">
  <p id="greeting">{escape(state["greeting"])}</p>
  <p>个人信息保护法 中文字体渲染检查</p>
  <form method="post" action="/press"><button type="submit" name="who" value="浏览器">按一下 / Press</button></form>
</body></html>"""

    @app.post("/press")
    def press(who: str = Form(...)) -> RedirectResponse:
        state["greeting"] = f"Pressed by {who} / 已点击"
        return RedirectResponse("/", status_code=303)

    return app


def test_click_posts_the_form_and_the_screenshot_is_kept(
    page: Page, live_server: LiveServer, shot: Shot
) -> None:
    base_url = live_server(greeting_app())
    page.goto(base_url + "/")
    expect(page.locator("#greeting")).to_have_text("Not yet pressed / 尚未点击")

    page.get_by_role("button", name="按一下 / Press").click()

    expect(page.locator("#greeting")).to_have_text("Pressed by 浏览器 / 已点击")
    assert page.url == base_url + "/"  # the POST redirected back to the page, not left on /press
    expected = SCREENSHOTS / "test_click_posts_the_form_and_the_screenshot_is_kept-pressed.png"
    expected.unlink(missing_ok=True)  # a picture from an earlier run must not pass for this one
    path = shot(page, "pressed")
    assert path == expected
    content = path.read_bytes()
    assert content.startswith(PNG_SIGNATURE)
    assert len(content) > 5_000  # a blank page compresses to a few hundred bytes; text makes it larger
