"""Who is calling: the bearer key names the tenant and its scopes; every endpoint states the scope it needs.

The key is checked by the api-keys domain (hashed at rest, cached briefly); this module only turns
its answer into 401 (no key, a bad or revoked key) or 403 (a key without the scope), and hands the
endpoint the caller's tenant. An endpoint never takes a tenant from the request itself: the key is
the only source, so tenant A's key cannot even name tenant B.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from consentgate.errors import ConsentgateError
from consentgate.runtime.apikeys.policy import NEEDED, Operation
from consentgate.runtime.apikeys.schemas import Principal, Scope
from consentgate.runtime.engine import Engine
from consentgate.service.problems import HttpProblem

_bearer = HTTPBearer(auto_error=False, description="An API key: `consentgate apikey create`")


class Unauthorized(HttpProblem):
    code = "service.unauthorized"
    status = 401


class Forbidden(HttpProblem):
    code = "service.forbidden"
    status = 403


def require(scope: Scope) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets the call through only with a live key allowing `scope`."""

    # async: the key is almost always in the service's memory cache, and a sync dependency would cost
    # every request a hop to the thread pool (on a miss, one indexed read blocks the loop briefly).
    async def principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized.from_key("service.no_key")
        try:
            caller: Principal = request.app.state.keys.verify(credentials.credentials)
        except ConsentgateError as error:
            raise Unauthorized(error.text) from None
        if not caller.allows(scope):
            raise Forbidden.from_key("service.scope_missing", scope=scope.value)
        return caller

    return principal


def allowed_to(operation: Operation) -> Callable[..., Awaitable[Principal]]:
    """The dependency for an operation of the policy table: the same scope the console asks for."""
    return require(NEEDED[operation])


def engine_of(request: Request, caller: Principal) -> Engine:
    """The caller's tenant's runtime (created on first use)."""
    engine: Engine = request.app.state.engines.get(caller.tenant)
    return engine


Admin = Annotated[Principal, Depends(require(Scope.ADMIN))]
AppBackend = Annotated[Principal, Depends(require(Scope.APP_BACKEND))]
ReadOnly = Annotated[Principal, Depends(require(Scope.READ_ONLY))]
# Rights steps and sessions: the scope comes from the policy table shared with the console.
FilesRequests = Annotated[Principal, Depends(allowed_to(Operation.FILE_REQUEST))]
VerifiesIdentity = Annotated[Principal, Depends(allowed_to(Operation.VERIFY_IDENTITY))]
FulfilsRequests = Annotated[Principal, Depends(allowed_to(Operation.FULFIL_REQUEST))]
RefusesRequests = Annotated[Principal, Depends(allowed_to(Operation.REFUSE_REQUEST))]
ExportsCopies = Annotated[Principal, Depends(allowed_to(Operation.EXPORT_COPY))]
EndsSessions = Annotated[Principal, Depends(allowed_to(Operation.END_SESSIONS))]
