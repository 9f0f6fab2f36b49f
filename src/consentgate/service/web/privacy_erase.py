"""Deleting the person's data and cancelling their account: confirm first, then erase, then a receipt.

The first POST only asks "are you sure" (a stray click or a replayed form erases nothing); the second,
with `confirm=yes`, receives the request, records the identity check and carries it out. The person is
then signed out — nothing is left to be signed in as — and sees the deletion certificate's summary:
counts, times and which recipients were told, never their data (PIPL 47). The session keeps only the
tenant and request id of that certificate, so a reload still shows it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from consentgate.i18n import message
from consentgate.runtime.engine import Engine
from consentgate.runtime.rights.schemas import RightsKind
from consentgate.runtime.sharing.schemas import MAY_HAVE_LEFT
from consentgate.service.web import session
from consentgate.service.web.access import NotSignedIn, PersonContext, SignedInPerson
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.privacy_labels import purpose_label, recipient_name, when
from consentgate.service.web.privacy_requests import carry_out
from consentgate.service.web.render import lang_of, page, see_other

router = APIRouter(include_in_schema=False)

HERE = "/me/privacy"
DONE = f"{HERE}/deleted"
KINDS = {
    RightsKind.DELETE.value: RightsKind.DELETE,
    RightsKind.CANCEL_ACCOUNT.value: RightsKind.CANCEL_ACCOUNT,
}
_ERASED = "privacy_erased"  # session key: {"tenant": ..., "request": ...} of the certificate to show


@router.post(HERE + "/delete")
def erase(request: Request, who: SignedInPerson, form: CheckedForm) -> Response:
    kind = KINDS.get(str(form.get("kind") or ""), RightsKind.DELETE)
    if form.get("confirm") != "yes":
        return _confirm_page(request, who, kind)
    done = carry_out(who.engine, who.subject, kind)
    session.sign_out_person(request)
    request.session[_ERASED] = {"tenant": who.engine.tenant, "request": done.request_id}
    return see_other(DONE)


@router.get(DONE)
def erased_page(request: Request) -> Response:
    engine, request_id = _erasure(request)
    certificate = engine.rights.certificate(request_id)
    manifest = engine.manifest
    lang = lang_of(request)
    return page(
        request,
        "web/privacy_deleted.html.j2",
        title=message(f"web.privacy_deleted_title.{certificate.kind}").in_(lang),
        certificate=certificate,
        erased_at=when(certificate.erased_at),
        received_at=when(certificate.received_at),
        erased=sorted((table, n) for table, n in certificate.erased.items() if n),  # what was there
        total=sum(n for table, n in certificate.erased.items() if not table.endswith("(kept)")),
        told=[
            (recipient_name(manifest, t.recipient), purpose_label(manifest, t.purpose), t.status)
            for t in certificate.recipients_notified
        ],
    )


@router.get(DONE + "/certificate")
def certificate_document(request: Request) -> Response:
    """The certificate to keep: only its holder can show that the proofs kept under its ref were theirs."""
    engine, request_id = _erasure(request)
    document: dict[str, Any] = engine.rights.certificate(request_id).as_document()
    return JSONResponse(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="deletion-certificate-{request_id}.json"',
            "Cache-Control": "no-store",
        },
    )


def _erasure(request: Request) -> tuple[Engine, str]:
    held = request.session.get(_ERASED)
    if not isinstance(held, dict):
        raise NotSignedIn.from_key("service.not_signed_in")
    engine: Engine = request.app.state.engines.get(str(held["tenant"]))
    return engine, str(held["request"])


def _confirm_page(request: Request, who: PersonContext, kind: RightsKind) -> Response:
    engine, subject = who.engine, who.subject
    recipients = sorted(
        {t.recipient for t in engine.sharing.transfers(subject) if t.status in MAY_HAVE_LEFT and t.fields}
    )
    return page(
        request,
        "web/privacy_confirm.html.j2",
        title=message(f"web.privacy_confirm_title.{kind.value}").in_(lang_of(request)),
        app_name=engine.manifest.app.name,
        kind=kind.value,
        held_count=len(engine.profiles.attributes(subject)),
        recipients=[recipient_name(engine.manifest, r) for r in recipients],
    )
