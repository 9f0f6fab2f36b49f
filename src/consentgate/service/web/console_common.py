"""What every console page shares: the operator's key name, whether they may change things, today.

A read-only key sees every page but no button that changes anything (and its POSTs are refused by
`OperatorContext.require`); the page knows which through `admin`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from consentgate.i18n import message
from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.engine import Engine
from consentgate.runtime.rights.deadlines import local_date
from consentgate.service.web.access import OperatorContext
from consentgate.service.web.render import lang_of, page


def title(request: Request, key: str, /, **values: object) -> str:
    """A page title from the catalog in the reader's language."""
    return message(key, **values).in_(lang_of(request))


def console_page(
    request: Request, ctx: OperatorContext, template: str, *, title: str, status: int = 200, **context: Any
) -> HTMLResponse:
    return page(
        request,
        template,
        status=status,
        title=title,
        key_name=ctx.principal.name,
        tenant=ctx.principal.tenant,
        admin=ctx.principal.allows(Scope.ADMIN),
        **context,
    )


def today(engine: Engine) -> date:
    """Deadlines are Beijing dates (PIPL 50 counts China's working days), whatever the server's zone."""
    return local_date(engine.clock.now())
