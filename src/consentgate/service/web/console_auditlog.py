"""The console's audit log check: re-walk the tenant's hash chain and say whether it still holds.

Verifying reads the whole chain, so it runs on a button (POST), never on a page load or a link a
crawler might follow. It changes nothing — the API lets read-only keys verify too — so the POST
answers with the result itself: reloading it only verifies again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from consentgate.runtime.auditlog.schemas import VerifyReport
from consentgate.service.web.access import OperatorContext, SignedInOperator
from consentgate.service.web.console_common import console_page, title
from consentgate.service.web.csrf import CheckedForm

router = APIRouter(include_in_schema=False)
PAGE = "/console/auditlog"


@router.get(PAGE)
def auditlog_page(request: Request, ctx: SignedInOperator) -> HTMLResponse:
    return _page(request, ctx, None)


@router.post(PAGE)
def verify(request: Request, ctx: SignedInOperator, form: CheckedForm) -> HTMLResponse:
    log = ctx.engine.auditlog
    log.flush()  # what was recorded before the click is in the chain it checks
    return _page(request, ctx, log.verify())


def _page(request: Request, ctx: OperatorContext, report: VerifyReport | None) -> HTMLResponse:
    return console_page(
        request,
        ctx,
        "web/console_auditlog.html.j2",
        title=title(request, "web.console_auditlog_title"),
        report=report,
    )
