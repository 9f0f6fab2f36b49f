"""The screen reader reads zh and en screens as a person does: roles, pre-ticked boxes, required marks, categories."""

from __future__ import annotations

from consentgate.observe.model import ControlRole, ObservedScreen, Phase
from consentgate.observe.reader import read_screen
from tests.observe.browser.conftest import Loop

ZH = """<!doctype html><html><head><title>注册</title></head><body style="background:#fff">
<div role="dialog">
  <p>欢迎使用！请阅读<a href="/privacy">《隐私政策》</a>，我们收集手机号用于登录。</p>
  <label><input type="checkbox" checked> 我已阅读并同意隐私政策，同意接收营销短信</label>
  <button style="width:300px;height:48px;background:#07c160;color:#fff">同意并继续</button>
  <a href="#" style="color:#ccc;font-size:10px">不同意</a>
  <button>以后再说</button><button>仅浏览</button>
</div>
<form>
  <label for="m">手机号 *</label><input id="m" type="tel" name="mobile">
  <div><span>昵称</span><input name="nick"></div>
  <input name="yzm" placeholder="短信验证码">
  <div><label for="job">职业（必填）</label><select id="job" name="occupation"><option>—</option><option>工程师</option></select>
    <small>用于为您推荐课程</small></div>
</form></body></html>"""

EN = """<!doctype html><html><head><title>Sign up</title></head><body>
<p>Read our <a href="/p">Privacy Policy</a>.</p>
<label><input type="checkbox" name="terms" required> I agree to the Privacy Policy</label>
<label><input type="checkbox" name="news"> Send me news</label>
<input aria-label="Email address" name="e" aria-required="true">
<input placeholder="Full name" name="n">
<input type="password" name="pw">
<input type="text" name="birthday" aria-describedby="why"><span id="why">Used to check you are over 14</span>
<button type="submit">Sign up</button><button>Not now</button><a href="/x">Disagree</a>
</body></html>"""


async def _read(loop: Loop, html: str) -> ObservedScreen:
    assert loop.browser is not None
    context = await loop.browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(html)
        return await read_screen(page, screen_id="screen-1", seq=0, phase=Phase.LOADED, taps=0)
    finally:
        await context.close()


def _role(screen: ObservedScreen, text: str) -> ControlRole:
    return next(c.role for c in screen.controls if c.text == text)


def test_chinese_controls_are_classified_and_refusal_prominence_measured(chromium: Loop) -> None:
    screen = chromium.run(_read(chromium, ZH))
    assert _role(screen, "同意并继续") is ControlRole.AGREE
    assert _role(screen, "不同意") is ControlRole.REFUSE
    assert _role(screen, "以后再说") is ControlRole.SKIP
    assert _role(screen, "仅浏览") is ControlRole.BROWSE
    assert _role(screen, "《隐私政策》") is ControlRole.NOTICE_LINK
    agree = next(c for c in screen.controls if c.text == "同意并继续")
    refuse = next(c for c in screen.controls if c.text == "不同意")
    assert agree.area > 5 * refuse.area  # the refusal is a small link beside a big button
    assert refuse.contrast is not None and agree.contrast is not None and refuse.contrast < 2.0
    assert screen.shows_notice and screen.notice_chars
    readability = screen.notice_readability  # measured where it was read; the text is not kept
    assert readability is not None and readability.chars == screen.notice_chars
    assert readability.mean_sentence_chars > 0


def test_a_pre_ticked_box_reads_as_ticked_with_what_it_bundles(chromium: Loop) -> None:
    screen = chromium.run(_read(chromium, ZH))
    (box,) = [c for c in screen.controls if c.role is ControlRole.CONSENT_BOX]
    assert box.checked is True
    assert box.purposes_text is not None and "营销短信" in box.purposes_text


def test_chinese_fields_get_categories_required_marks_and_purpose(chromium: Loop) -> None:
    screen = chromium.run(_read(chromium, ZH))
    by_name = {f.name: f for f in screen.fields}
    assert by_name["mobile"].category == "contact.phone" and by_name["mobile"].required is True
    assert by_name["mobile"].input_type == "tel"
    assert by_name["nick"].category == "profile.nickname" and by_name["nick"].required is False
    assert by_name["yzm"].category is None  # a verification code is no personal data
    job = by_name["occupation"]
    assert job.category == "profile.occupation" and job.required is True
    assert job.purpose_text is not None and "推荐课程" in job.purpose_text


def test_english_screen_reads_the_same_way(chromium: Loop) -> None:
    screen = chromium.run(_read(chromium, EN))
    assert _role(screen, "Sign up") is ControlRole.SUBMIT
    assert _role(screen, "Not now") is ControlRole.SKIP
    assert _role(screen, "Disagree") is ControlRole.REFUSE
    assert _role(screen, "Privacy Policy") is ControlRole.NOTICE_LINK
    boxes = [c for c in screen.controls if c.role is ControlRole.CONSENT_BOX]
    assert [b.checked for b in boxes] == [False]
    assert _role(screen, "Send me news") is ControlRole.OTHER
    by_name = {f.name: f for f in screen.fields}
    assert by_name["e"].category == "contact.email" and by_name["e"].required is True
    assert by_name["n"].category == "identity.name" and by_name["n"].required is False
    assert by_name["pw"].category == "account.credentials"
    assert by_name["birthday"].category == "identity.birth-date"
    assert by_name["birthday"].purpose_text == "Used to check you are over 14"
