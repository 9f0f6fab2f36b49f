"""The console's notices: every published version, publishing a new one, and who must re-consent.

A new version is classified by `NoticeService.publish`: a MATERIAL change (purposes, data or
recipients) makes earlier consents for the affected purposes stale (PIPL 14 para 2), an EDITORIAL one
changes wording only. The result page counts the live consents that now rest on a version no longer
acceptable — the people the app must ask again — from the consent statistics, so it is the same
number the overview shows, and it falls as people re-consent.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from consentgate.i18n import message
from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.notices.errors import NoticeVersionConflict
from consentgate.runtime.notices.schemas import ChangeKind, NoticeVersion
from consentgate.runtime.rights.deadlines import BEIJING
from consentgate.service.problems import HttpProblem
from consentgate.service.web import session
from consentgate.service.web.access import OperatorContext, SignedInOperator
from consentgate.service.web.console_common import console_page, title
from consentgate.service.web.console_notice_form import Choices, NoticeDraft, read_draft, starting_from
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.render import lang_of, see_other
from consentgate.text import Text

router = APIRouter(include_in_schema=False)
PAGE = "/console/notices"
Short = Annotated[str | None, Query(max_length=80)]


class NoticeVersionNotFound(HttpProblem):
    code = "web.console_notice_not_found"
    status = 404


@router.get(PAGE)
def notices_page(request: Request, ctx: SignedInOperator, notice: Short = None) -> HTMLResponse:
    choices = _choices(ctx)
    chosen = notice if notice in choices.notices else (choices.notices[0] if choices.notices else "")
    return _page(request, ctx, choices, starting_from(chosen, ctx.engine.notices.current(chosen)))


@router.post(PAGE, response_model=None)
def publish(request: Request, ctx: SignedInOperator, form: CheckedForm) -> Response:
    ctx.require(Scope.ADMIN)
    choices = _choices(ctx)
    draft, problems = read_draft(form, choices)
    lang = lang_of(request)
    if problems:
        errors = [message(key).in_(lang) for key in problems]
        return _page(request, ctx, choices, draft, errors=errors, status=422)
    notices = ctx.engine.notices
    existed = notices.find(draft.notice_id, draft.version) is not None
    try:
        published = notices.publish(
            draft.notice_id,
            draft.version,
            text=Text(zh=draft.text_zh, en=draft.text_en),
            purposes=draft.purposes,
            data=draft.data,
            recipients=draft.recipients,
        )
    except NoticeVersionConflict as conflict:
        return _page(request, ctx, choices, draft, errors=[conflict.text.in_(lang)], status=409)
    session.flash(request, "web.console_notice_unchanged" if existed else "web.console_notice_published")
    query = urlencode({"notice": published.notice_id, "version": published.version})
    return see_other(f"{PAGE}/published?{query}")


@router.get(PAGE + "/published")
def published_page(
    request: Request, ctx: SignedInOperator, notice: Short = None, version: Short = None
) -> HTMLResponse:
    found = ctx.engine.notices.find(notice or "", version or "")
    if found is None:
        raise NoticeVersionNotFound.from_key(
            "web.console_notice_not_found", notice=notice or "—", version=version or "—"
        )
    statistics = ctx.engine.consent.statistics()
    affected = sorted(found.affected_purposes)
    return console_page(
        request,
        ctx,
        "web/console_notice_published.html.j2",
        title=title(request, "web.console_published_title", notice=found.notice_id, version=found.version),
        version=found,
        published_at=_when(found),
        material=found.change is ChangeKind.MATERIAL,
        affected=[(purpose, statistics.must_reconsent([purpose])) for purpose in affected],
        must_reconsent=statistics.must_reconsent(affected),
    )


def _choices(ctx: OperatorContext) -> Choices:
    published = dict.fromkeys(v.notice_id for v in ctx.engine.notices.versions())
    return Choices.of(ctx.engine.manifest, published)


def _page(
    request: Request,
    ctx: OperatorContext,
    choices: Choices,
    draft: NoticeDraft,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    versions = ctx.engine.notices.versions()
    by_notice: dict[str, list[tuple[NoticeVersion, str]]] = {}
    for version in reversed(versions):  # newest first
        by_notice.setdefault(version.notice_id, []).append((version, _when(version)))
    return console_page(
        request,
        ctx,
        "web/console_notices.html.j2",
        status=status,
        title=title(request, "web.console_notices_title"),
        by_notice=by_notice,
        choices=choices,
        draft=draft,
        errors=errors or [],
    )


def _when(version: NoticeVersion) -> str:
    return version.published_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
