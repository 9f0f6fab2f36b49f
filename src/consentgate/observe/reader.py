"""Reads one screen like a person: the notice and its links, consent boxes, buttons and their prominence, fields.

The DOM is read in the page (`read_screen.js`: visible elements, labels, sizes, contrast); the meaning
of the words is decided here with the keyword catalog, so Chinese and English are judged by the same
data. After a read, `controls[i]` is the element `[data-cg-control="i"]` and `fields[i]` the element
`[data-cg-field="i"]`, until the next read: that is how the walker acts on what it read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from playwright.async_api import Page

from consentgate.observe.keywords import catalog, field_category, mentions, role_of
from consentgate.observe.model import (
    ControlRole,
    NoticeReadability,
    ObservedControl,
    ObservedField,
    ObservedScreen,
    Phase,
)
from consentgate.observe.readability import measure
from consentgate.observe.sent_data import redact_url

_CODE_ON_PAGE = re.compile(r"(?:验证码|校验码|code)\D{0,12}?(\d{4,8})", re.IGNORECASE)


@cache
def _script() -> str:
    return resources.files("consentgate.observe").joinpath("read_screen.js").read_text("utf-8")


@dataclass(frozen=True)
class PageSigns:
    """What the walker needs beyond the screen itself: barriers and a code shown on the page."""

    text: str
    captcha: bool
    login_wall: bool
    sms_fields: tuple[int, ...]  # indexes into the screen's fields that ask for a verification code
    code_on_page: str | None
    offers_signup: bool = False  # a control offers to create an account: a login form is then no wall
    required_boxes: tuple[int, ...] = ()  # indexes into the screen's controls: tick boxes marked required
    # The form each control and each field belongs to (an index on the page, -1 for none), by index.
    control_forms: tuple[int, ...] = ()
    field_forms: tuple[int, ...] = ()
    email_link: bool = False  # the page says a link was sent by e-mail to go on (a confirmation)


def _control(raw: dict[str, Any]) -> ObservedControl:
    words = catalog()
    text: str = raw["text"][:200]
    if raw["type"] == "checkbox":
        role = ControlRole.CONSENT_BOX if mentions(text, words.consent_box.phrases) else ControlRole.OTHER
    elif raw["tag"] == "a" and mentions(text, words.notice.phrases):
        role = ControlRole.NOTICE_LINK
    else:
        role = role_of(text) or (ControlRole.SUBMIT if raw["type"] == "submit" else ControlRole.OTHER)
    return ObservedControl(
        role=role,
        text=text,
        tag=raw["tag"],
        checked=raw["checked"],
        visible=raw["visible"],
        area=float(raw["area"]),
        contrast=raw["contrast"],
        purposes_text=text if role is ControlRole.CONSENT_BOX else None,
    )


def _label(raw: dict[str, Any]) -> str | None:
    for key in ("label", "aria", "placeholder"):
        if raw[key]:
            return str(raw[key])[:200]
    return str(raw["near"])[:200] or None


def _required(raw: dict[str, Any]) -> bool:
    """Required attribute or aria-required, a label or row styled `required`, or a marker (*, 必填, required)
    in the label or beside the field."""
    if raw["required"] or raw["styledRequired"]:
        return True
    beside = raw["label"] or raw["aria"] or raw["near"]
    return mentions(beside, catalog().required_markers)


def _purpose(raw: dict[str, Any]) -> str | None:
    phrases = catalog().purpose.phrases
    for text in (raw["described"], raw["near"], raw["placeholder"]):
        if mentions(text, phrases):
            return str(text)[:300]
    return None


def _field(raw: dict[str, Any]) -> tuple[ObservedField, bool]:
    label = _label(raw)
    words = " ".join(filter(None, (raw["label"], raw["aria"], raw["placeholder"]))) or label
    matched, category = field_category(words, raw["name"], raw["type"])
    is_code = matched and category is None
    field = ObservedField(
        name=raw["name"] or f"field-{raw['index']}",
        label=label,
        input_type=raw["type"],
        required=_required(raw),
        category=category,
        purpose_text=_purpose(raw),
    )
    return field, is_code


def _shows_notice(raw: dict[str, Any], controls: tuple[ObservedControl, ...]) -> tuple[bool, int | None]:
    words = catalog().notice
    text = raw["dialog"] or raw["text"]
    asks = any(c.role in (ControlRole.AGREE, ControlRole.CONSENT_BOX) for c in controls)
    if asks and (mentions(text, words.phrases) or mentions(text, words.shown)):
        return True, len(text)
    return False, None


def _readability(raw: dict[str, Any]) -> NoticeReadability:
    """The notice's measures (AVIM 2.4), taken here so that the text never leaves the reader."""
    measured = measure(raw["dialog"] or raw["text"])
    return NoticeReadability(
        chars=measured.chars,
        mean_sentence_chars=round(measured.mean_sentence_chars, 1),
        jargon=measured.jargon,
    )


async def read_page(
    page: Page, *, screen_id: str, seq: int, phase: Phase, taps: int
) -> tuple[ObservedScreen, PageSigns]:
    """The screen and the signs the walker acts on (CAPTCHA, login wall, verification code)."""
    words = catalog()
    raw = await page.evaluate(_script(), list(words.captcha.selectors))
    controls = tuple(_control(c) for c in raw["controls"])
    read = [_field({**f, "index": i}) for i, f in enumerate(raw["fields"])]
    shows, chars = _shows_notice(raw, controls)
    readability = _readability(raw) if shows else None
    screen = ObservedScreen(
        id=screen_id,
        seq=seq,
        phase=phase,
        url=redact_url(raw["url"]),
        title=raw["title"][:200],
        taps=taps,
        shows_notice=shows,
        notice_chars=chars,
        notice_readability=readability,
        controls=controls,
        fields=tuple(f for f, _ in read),
    )
    found = _CODE_ON_PAGE.search(raw["text"])
    signs = PageSigns(
        text=raw["text"],
        captcha=bool(raw["captchaSelectors"]) or mentions(raw["text"], words.captcha.text),
        login_wall=mentions(raw["text"], words.login_wall),
        sms_fields=tuple(i for i, (_, is_code) in enumerate(read) if is_code),
        code_on_page=found.group(1) if found else None,
        offers_signup=any(mentions(c.text, words.signup) for c in controls),
        required_boxes=tuple(i for i, c in enumerate(raw["controls"]) if c["required"]),
        control_forms=tuple(int(c["form"]) for c in raw["controls"]),
        field_forms=tuple(int(f["form"]) for f in raw["fields"]),
        email_link=mentions(raw["text"], words.email_link),
    )
    return screen, signs


async def read_screen(page: Page, *, screen_id: str, seq: int, phase: Phase, taps: int) -> ObservedScreen:
    """Read the screen on show in `page` as an `ObservedScreen` (no screenshot: the walker takes it)."""
    screen, _ = await read_page(page, screen_id=screen_id, seq=seq, phase=phase, taps=taps)
    return screen
