"""Onboarding pages: the notice first, then only the necessary fields as required, everything else optional.

GET shows the runtime's next screen; POST answers it and redirects (Post/Redirect/Get) to the next
one, or home once nothing is left to ask. The runtime decides what is required and what consent an
answer gives; this page only reads the form. A form for a screen that is no longer the current one (a
second tab, the back button) records nothing and just shows the current screen again.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentgate.i18n import message
from consentgate.manifest.models import ScreenAction
from consentgate.manifest.names import data_name
from consentgate.runtime.consent.schemas import Evidence
from consentgate.runtime.onboarding.errors import RequiredFieldMissing
from consentgate.runtime.onboarding.schemas import ScreenView
from consentgate.service.routers._params import IdPath
from consentgate.service.web import session
from consentgate.service.web.access import PersonContext, SignedInPerson
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.home import leave
from consentgate.service.web.onboarding_answers import (
    address_problems,
    answers,
    register_addresses,
    stored,
    typed,
)
from consentgate.service.web.onboarding_view import joined, shown_screen
from consentgate.service.web.render import lang_of, page, see_other
from consentgate.text import Text

router = APIRouter(include_in_schema=False)

HERE = "/me/onboarding"
HOME = "/me/home"
USER_AGENT_MAX = 300


@router.get(HERE)
def onboarding_page(request: Request, who: SignedInPerson) -> Response:
    view = who.engine.onboarding.next_screen(who.subject)
    if view.is_home:
        return see_other(HOME)
    return _screen_page(request, who, view)


@router.post(HERE + "/{screen_id}")
def answer_screen(screen_id: IdPath, request: Request, who: SignedInPerson, form: CheckedForm) -> Response:
    engine, subject = who.engine, who.subject
    view = engine.onboarding.next_screen(subject)
    action = form.get("action")
    offered = {a.value for a in view.actions}
    if view.is_home or view.screen_id != screen_id or action not in offered:
        return see_other(HERE)  # stale or tampered: nothing recorded
    if action == ScreenAction.EXIT:  # leaving without agreeing: nothing recorded, the session ends
        return leave(request, "web.onboarding_exited")
    if action == ScreenAction.BROWSE:  # 仅浏览: nothing recorded, non-personalized content
        return see_other("/me/browse")
    declining = action in (ScreenAction.SKIP, ScreenAction.REFUSE)
    values = answers(form, view, engine.manifest, required_only=declining)
    problems = address_problems(values, engine.manifest)
    if problems:
        error = joined(problems.values())
        return _screen_page(request, who, view, values=values, problems=problems, error=error)
    evidence = Evidence(user_agent=(request.headers.get("user-agent") or "")[:USER_AGENT_MAX] or None)
    try:
        if declining and not any(f.required for f in view.fields):
            after = engine.onboarding.skip(subject, screen_id, evidence=evidence)
        else:
            after = engine.onboarding.submit(
                subject,
                screen_id,
                stored(values, engine.manifest),
                locale=lang_of(request),
                evidence=evidence,
            )
    except RequiredFieldMissing:
        return _missing(request, who, view, values)
    register_addresses(engine, subject, values)
    if after.is_home:
        session.flash(request, "web.onboarding_done")
        return see_other(HOME)
    return see_other(HERE)


def _missing(
    request: Request, who: PersonContext, view: ScreenView, values: Mapping[str, object]
) -> Response:
    """The screen again, saying which necessary fields are still empty (what was typed stays)."""
    empty = [f for f in view.fields if f.required and f.data_id not in values]
    problems = {f.data_id: message("web.onboarding_field_required") for f in empty}
    names = joined(data_name(who.engine.manifest, f.data_id) for f in empty)
    error = message("web.onboarding_required_missing", fields=names)
    return _screen_page(request, who, view, values=values, problems=problems, error=error)


def _screen_page(
    request: Request,
    who: PersonContext,
    view: ScreenView,
    *,
    values: Mapping[str, object] | None = None,
    problems: Mapping[str, Text] | None = None,
    error: Text | None = None,
) -> Response:
    manifest = who.engine.manifest
    screen = shown_screen(
        who.engine, view, typed=typed(dict(values or {}), manifest), problems=problems, error=error
    )
    lang = lang_of(request)
    return page(
        request,
        "web/onboarding.html.j2",
        status=422 if error is not None else 200,
        title=screen.heading.in_(lang),
        screen=screen,
        app_name=manifest.app.name,
        form_action=f"{HERE}/{screen.screen_id}",
    )
