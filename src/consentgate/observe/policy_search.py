"""AVIM 1.3 from where the person lives: how many taps from the main screen to the privacy policy.

The method counts from the main screen (主功能界面), not from the sign-up: the screen the acceptance walk
lands on once there is nothing left to choose, which is the first page itself when there is no
onboarding. From there the search taps what a person looking for the policy taps (the catalog's `menu`:
我的, 设置, 关于, 隐私 …; never 退出 or 注销), breadth-first, so the first policy link it meets is the fewest
taps away. Tapping the link is the last tap. A link (`<a href>`) is followed by loading its address, as
the tap would; any other control is tapped again from the page it is on, after replaying the taps that
led there, so menus that open without navigating are searched too.

The search reads at most `Limits.menu_pages` pages; cut short, it proves nothing (`complete` false), and
not finding the policy within `Limits.menu_taps` taps after looking everywhere is what it reports.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError

from consentgate.observe._session import WalkState, fingerprint, look, settle
from consentgate.observe.keywords import catalog, mentions
from consentgate.observe.model import ControlRole, ObservedControl, ObservedScreen, PolicySearch
from consentgate.observe.parties import site_of


@dataclass(frozen=True)
class _Node:
    """A place the search can come back to: load `url`, then tap `replay` (texts), `via` taps from main."""

    url: str
    replay: tuple[str, ...]
    via: tuple[str, ...]

    @property
    def taps(self) -> int:
        return len(self.via)


def _is_policy_link(control: ObservedControl) -> bool:
    if control.checked is not None or not control.visible:
        return False  # a tick box agreeing to the policy is no way to read it
    return control.role is ControlRole.NOTICE_LINK or mentions(control.text, catalog().notice.phrases)


def _is_menu(control: ObservedControl) -> bool:
    words = catalog().menu
    return (
        control.role is ControlRole.OTHER
        and control.checked is None
        and control.visible
        and mentions(control.text, words.phrases)
        and not mentions(control.text, words.never)
    )


async def _open(state: WalkState, node: _Node, here: bool) -> tuple[ObservedScreen, str]:
    """Go to `node` (stay, when `here`) and read it; the fingerprint tells pages already searched."""
    page, ms = state.page, state.limits.action * 1000
    if not here:
        await page.goto(node.url, wait_until="commit", timeout=state.limits.settle * 1000)
        await settle(state)
        for text in node.replay:
            await page.get_by_text(text, exact=True).first.click(timeout=ms)
            await settle(state)
    screen, signs = await look(state, "menu")
    return screen, fingerprint(screen, signs)


async def _children(state: WalkState, screen: ObservedScreen, node: _Node) -> list[_Node]:
    """The menu-like controls of the page on show, as places one tap further."""
    site = site_of(urlsplit(state.page.url).hostname or "")
    found: list[_Node] = []
    for index, control in enumerate(screen.controls):
        if not _is_menu(control):
            continue
        via = (*node.via, control.text)
        href = None
        if control.tag == "a":
            href = await state.page.locator(f'[data-cg-control="{index}"]').get_attribute("href")
        if href and not href.startswith(("#", "javascript:")):
            url = urljoin(state.page.url, href)
            if urlsplit(url).scheme in ("http", "https") and site_of(urlsplit(url).hostname or "") == site:
                found.append(_Node(url, (), via))
        else:
            found.append(_Node(node.url, (*node.replay, control.text), via))
    return found


async def search_policy(state: WalkState, main: ObservedScreen) -> PolicySearch:
    """Breadth-first from the page on show (the main screen) to the first policy link, within the limits."""
    limits = state.limits
    first = _Node(state.page.url, (), ())
    queue: deque[_Node] = deque([first])
    queued = {(first.url, first.replay)}
    searched: set[str] = set()
    pages = 0
    result = PolicySearch(main_url=main.url, main_screen=main.id, limit=limits.menu_taps)
    while queue:
        if pages >= limits.menu_pages:
            return result.model_copy(update={"pages_read": pages})  # cut short: proves nothing
        node = queue.popleft()
        try:
            screen, mark = await _open(state, node, here=node is first)
        except PlaywrightError:
            return result.model_copy(update={"pages_read": pages})
        pages += 1
        if mark in searched:
            continue
        searched.add(mark)
        if screen.shows_notice or any(_is_policy_link(c) for c in screen.controls):
            link = next((c.text for c in screen.controls if _is_policy_link(c)), None)
            taps = node.taps + (0 if screen.shows_notice or link is None else 1)
            via = node.via if link is None or screen.shows_notice else (*node.via, link)
            return result.model_copy(
                update={
                    "taps": taps,
                    "via": via,
                    "complete": True,
                    "pages_read": pages,
                    "screenshot": screen.screenshot,
                }
            )
        if node.taps + 1 >= limits.menu_taps:
            continue  # a link on a page one tap further would be beyond the limit
        for child in await _children(state, screen, node):
            if (child.url, child.replay) not in queued:
                queued.add((child.url, child.replay))
                queue.append(child)
    return result.model_copy(update={"complete": True, "pages_read": pages})
