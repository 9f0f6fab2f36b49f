"""The privacy center's switches: consent per purpose (per recipient for sharing), the feed, marketing.

Each switch is its own small form, so it works as a plain POST without JavaScript; the answer is a
redirect back to the switch's section with a one-line message (Post/Redirect/Get).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentgate.runtime.consent.schemas import Evidence
from consentgate.service.web import session
from consentgate.service.web.access import SignedInPerson
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.privacy_view import feed_of
from consentgate.service.web.render import lang_of, see_other

router = APIRouter(include_in_schema=False)

HERE = "/me/privacy"
SECTIONS = frozenset({"purposes", "marketing"})  # where a purpose switch sends the person back to


@router.post(HERE + "/purposes")
def switch_purpose(request: Request, who: SignedInPerson, form: CheckedForm) -> Response:
    """On: consent in settings on the current notice; off: a withdrawal (the recipient is told)."""
    purpose = str(form.get("purpose") or "")
    recipient = str(form.get("recipient") or "") or None
    on = form.get("on") == "1"
    event = who.engine.settings.set_purpose(who.subject, purpose, on, recipient, evidence=_evidence(request))
    session.flash(request, _flash(event is not None, on))
    section = str(form.get("section") or "")
    return see_other(f"{HERE}#{section if section in SECTIONS else 'purposes'}")


@router.post(HERE + "/personalization")
def switch_personalization(request: Request, who: SignedInPerson, form: CheckedForm) -> Response:
    """The feed's own switch, as the feed records it (its audit record names the mode)."""
    on = form.get("on") == "1"
    feed = feed_of(who.engine)
    if feed is None:  # no content catalog, so no switch was shown
        return see_other(HERE)
    event = feed.set_mode(who.subject, on, evidence=_evidence(request))
    session.flash(request, _flash(event is not None, on))
    return see_other(f"{HERE}#personalization")


def _evidence(request: Request) -> Evidence:
    return Evidence(screen_id=HERE, locale=lang_of(request))


def _flash(changed: bool, on: bool) -> str:
    if not changed:
        return "web.privacy_flash_unchanged"
    return "web.privacy_flash_on" if on else "web.privacy_flash_off"
