"""Pages from Jinja2 templates in the reader's language, with the form token and the language switch.

Every page is rendered in one language (the session's choice, else the browser's, else zh) with a link
to the other; text comes from the i18n catalog by key (`t("web.…")`), so a page has no inline prose.
Autoescape is on and undefined names fail loudly: a template typo is a test failure, not a blank.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from consentgate.i18n import message
from consentgate.service.problems import language
from consentgate.service.web.session import chosen_language, csrf_token, operator, person, take_flash
from consentgate.text import Lang, Text

TEMPLATES = Environment(
    loader=PackageLoader("consentgate.service", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def lang_of(request: Request) -> Lang:
    return chosen_language(request) or language(request)


def translator(lang: Lang) -> Any:
    def t(key: str, /, **values: object) -> str:
        return message(key, **values).in_(lang)

    return t


def in_lang(lang: Lang) -> Any:
    """`pick(text)`: a bilingual `Text` (or a plain string) in the page's language."""

    def pick(text: Text | str | None) -> str:
        if text is None:
            return ""
        return text.in_(lang) if isinstance(text, Text) else text

    return pick


def local_path(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site: never `//evil.example` nor a scheme (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    other: Lang = "en" if lang == "zh" else "zh"
    flash_key = take_flash(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = TEMPLATES.get_template(template).render(
        lang=lang,
        other_lang=other,
        t=translator(lang),
        pick=in_lang(lang),
        csrf=csrf_token(request),
        switch_url=f"/lang/{other}?next={quote(here, safe='')}",
        signed_in_person=person(request) is not None,
        signed_in_operator=operator(request) is not None,
        path=request.url.path,
        flash=message(flash_key).in_(lang) if flash_key else None,
        **context,
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Cache-Control": "no-store", "Content-Language": lang, "Vary": "Cookie, Accept-Language"},
    )


def see_other(target: str) -> RedirectResponse:
    """After a form: back to a page with GET (Post/Redirect/Get), so a reload never posts twice."""
    return RedirectResponse(target, status_code=303)
