"""Who may see a page: a person signed in through their app, or an operator signed in with a key.

A page never takes a tenant or an account id from the URL or a form: the signed session is the only
source, exactly as the API key is for the API. A person whose account was deleted, or an operator whose
key was revoked, is signed out on their next page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from consentgate.runtime.apikeys.policy import NEEDED, Operation
from consentgate.runtime.apikeys.schemas import Principal, Scope
from consentgate.runtime.engine import Engine
from consentgate.service.problems import HttpProblem
from consentgate.service.web import session


class NotSignedIn(HttpProblem):
    code = "service.not_signed_in"
    status = 401


class OperatorNotSignedIn(HttpProblem):
    code = "service.operator_not_signed_in"
    status = 401


class NotAllowed(HttpProblem):
    code = "service.forbidden"
    status = 403


@dataclass(frozen=True)
class PersonContext:
    """The signed-in person and their tenant's runtime."""

    engine: Engine
    subject: str


@dataclass(frozen=True)
class OperatorContext:
    engine: Engine
    principal: Principal

    def require(self, scope: Scope) -> None:
        if not self.principal.allows(scope):
            raise NotAllowed.from_key("service.scope_missing", scope=scope.value)

    def require_to(self, operation: Operation) -> None:
        """The same scope the API asks for the operation (the policy table)."""
        self.require(NEEDED[operation])


def signed_in_person(request: Request) -> PersonContext:
    held = session.person(request)
    if held is None:
        raise NotSignedIn.from_key("service.not_signed_in")
    engine: Engine = request.app.state.engines.get(held.tenant)
    if not engine.consent.known_subject(held.subject):  # deleted, or never registered
        session.sign_out_person(request)
        raise NotSignedIn.from_key("service.not_signed_in")
    return PersonContext(engine=engine, subject=held.subject)


def signed_in_operator(request: Request) -> OperatorContext:
    held = session.operator(request)
    if held is None:
        raise OperatorNotSignedIn.from_key("service.operator_not_signed_in")
    principal: Principal | None = request.app.state.keys.still_live(held.tenant, held.key_id)
    if principal is None:
        session.sign_out_operator(request)
        raise OperatorNotSignedIn.from_key("service.operator_not_signed_in")
    return OperatorContext(engine=request.app.state.engines.get(held.tenant), principal=principal)


SignedInPerson = Annotated[PersonContext, Depends(signed_in_person)]
SignedInOperator = Annotated[OperatorContext, Depends(signed_in_operator)]
