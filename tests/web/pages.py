"""Reading the web pages as a browser without JavaScript does: parse a page, post its form, walk onboarding.

Shared by the onboarding, home and demo page tests. Every walk goes through the real pages (GET the
screen, POST its form with the token it carried, follow the 303).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from consentgate.i18n import message
from tests.web.conftest import Site

PHONE = "13800000001"
PASSWORD = "correct horse battery staple"
ONBOARDING = "/me/onboarding"
CONTINUE_WITHOUT = "不提供也能继续 / Continue without it"
VOID = {"input", "meta", "link", "br", "img", "hr", "source", "area", "base", "col", "wbr"}


@dataclass
class Control:
    tag: str  # input or button
    attrs: dict[str, str | None]
    form: str | None  # the action of the form it is in
    text: str = ""

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)


@dataclass
class Screen:
    """One parsed page: its controls in document order, text by element id, and where the notice is."""

    html: str
    controls: list[Control] = field(default_factory=list)
    text_by_id: dict[str, str] = field(default_factory=dict)
    attrs_by_id: dict[str, dict[str, str | None]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # "notice" and "field:<name>", as they come

    @property
    def action(self) -> str:
        """The onboarding form's target."""
        return next(c.form for c in self.controls if c.form and c.form.startswith(ONBOARDING + "/"))

    @property
    def csrf(self) -> str:
        token = next(c.get("value") for c in self.controls if c.get("name") == "csrf_token")
        assert token
        return token

    def fields(self) -> list[Control]:
        """The screen's questions: visible inputs of the onboarding form."""
        return [
            c
            for c in self.controls
            if c.tag == "input" and c.form == self.action and c.get("type") not in {"hidden", "checkbox"}
        ]

    def boxes(self) -> list[Control]:
        return [c for c in self.controls if c.tag == "input" and c.get("type") == "checkbox"]

    def buttons(self) -> dict[str, str]:
        """The onboarding form's actions: value -> visible text."""
        return {
            str(c.get("value")): c.text.strip()
            for c in self.controls
            if c.tag == "button" and c.form == self.action and c.get("name") == "action"
        }


class _Parser(HTMLParser):
    def __init__(self, screen: Screen) -> None:
        super().__init__(convert_charrefs=True)
        self.screen = screen
        self.form: str | None = None
        self.open: list[tuple[str, str | None]] = []  # (tag, id) of elements not yet closed
        self.button: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        held = dict(attrs)
        if tag == "form":
            self.form = held.get("action")
        if held.get("id") in {"notice", "notice-link"}:
            self.screen.order.append("notice")
        if tag in {"input", "button"}:
            control = Control(tag, held, self.form)
            self.screen.controls.append(control)
            if tag == "input" and held.get("type") not in {"hidden", "checkbox"}:
                self.screen.order.append(f"field:{held.get('name')}")
            if tag == "button":
                self.button = control
        if tag not in VOID:
            self.open.append((tag, held.get("id")))
            if held.get("id"):
                self.screen.text_by_id[str(held["id"])] = ""
        if held.get("id"):
            self.screen.attrs_by_id[str(held["id"])] = held

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        if tag == "button":
            self.button = None
        while self.open:
            opened, _ = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self.open:
            if element_id:
                self.screen.text_by_id[element_id] += data
        if self.button is not None:
            self.button.text += data


def parse(html: str) -> Screen:
    screen = Screen(html)
    _Parser(screen).feed(html)
    return screen


Chooser = Callable[[Screen], tuple[str, dict[str, str]]]


def required_answers(screen: Screen) -> dict[str, str]:
    """What a person types into the required fields: a phone number, a password, else some text."""
    typed = {"tel": PHONE, "password": PASSWORD}
    return {
        str(c.get("name")): typed.get(str(c.get("type")), "x")
        for c in screen.fields()
        if "required" in c.attrs
    }


def skip_everything(screen: Screen) -> tuple[str, dict[str, str]]:
    buttons = screen.buttons()
    if "agree" in buttons:
        return "agree", {}
    if "skip" in buttons:
        return "skip", {}
    return "submit", required_answers(screen)


def walk(site: Site, choose: Chooser) -> list[Screen]:
    """Answers screen after screen as `choose` says, until the pages send the person home."""
    seen: list[Screen] = []
    for _ in range(10):
        shown = site.client.get(ONBOARDING, follow_redirects=False)
        if shown.status_code == 303:
            assert shown.headers["location"] == "/me/home"
            return seen
        assert shown.status_code == 200
        screen = parse(shown.text)
        seen.append(screen)
        action, values = choose(screen)
        posted = site.client.post(
            screen.action,
            data={"csrf_token": screen.csrf, "action": action, **values},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
    raise AssertionError("onboarding never reached home")


def begin(site: Site, subject: str) -> Screen:
    opened = site.sign_in(subject, page="onboarding")
    assert opened.status_code == 200
    assert opened.url.path == ONBOARDING
    return parse(opened.text)


def feed_label(site: Site) -> tuple[str, str | None]:
    """The home page's feed label, and whether it says the feed is personalized."""
    home = site.client.get("/me/home", follow_redirects=False)
    assert home.status_code == 200
    screen = parse(home.text)
    return screen.text_by_id["feed-label"].strip(), screen.attrs_by_id["feed-label"].get("data-personalized")


def zh(key: str) -> str:
    return message(key).zh


def fill_everything(screen: Screen) -> tuple[str, dict[str, str]]:
    """Answers every optional question, ticks no box, and continues."""
    optional = {str(c.get("name")): "老师" for c in screen.fields() if "required" not in c.attrs}
    if optional:
        return "submit", optional
    return skip_everything(screen)


def ticking(*fragments: str) -> Chooser:
    """Ticks only the boxes whose name holds one of `fragments`; everything else is skipped."""

    def choose(screen: Screen) -> tuple[str, dict[str, str]]:
        wanted = {
            str(c.get("name")): "yes"
            for c in screen.boxes()
            if any(f in str(c.get("name")) for f in fragments)
        }
        return ("submit", wanted) if wanted else skip_everything(screen)

    return choose


TAG = re.compile(r"<[^>]+>")
NOTICE_TEXT = re.compile(r'<(section|details) class="notice[^"]*" id="notice[^"]*".*?</\1>', re.S)


def visible_words(html: str) -> str:
    """What a person reads on the page, without the notice's own text (`notice_text` writes that)."""
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    return TAG.sub(" ", NOTICE_TEXT.sub(" ", body))
