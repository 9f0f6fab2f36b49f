"""Signing a person out of the web pages on every device, asked for by their app's backend.

What an app does when its user reports a lost phone, changes their password or signs out of the app
everywhere: every web session of the person ends at once, copies of the cookie included. The scope it
needs comes from the policy table (`runtime/apikeys/policy.py`), as the console's does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from consentgate.runtime.sessions import WebSessions
from consentgate.service.auth import EndsSessions, engine_of
from consentgate.service.routers._params import SubjectPath, known

router = APIRouter(prefix="/v1/subjects/{subject}/web-sessions", tags=["web"])


class EndedOut(BaseModel):
    ended: int  # how many sessions there were (0 when the person was signed in nowhere)


@router.delete("", response_model=EndedOut)
def sign_out_everywhere(subject: SubjectPath, request: Request, caller: EndsSessions) -> EndedOut:
    known(engine_of(request, caller), subject)
    sessions: WebSessions = request.app.state.sessions
    return EndedOut(ended=sessions.end_everywhere(caller.tenant, subject))
