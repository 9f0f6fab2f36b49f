"""The privacy center page itself: every section's state, read fresh, rendered in the reader's language.

Routes that change something redirect back here (Post/Redirect/Get); a route whose change the library
refused renders the page again with the refusal (`center(..., error=...)`), so the person sees why in
the place they acted, with everything else as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from consentgate.i18n import message
from consentgate.manifest.models import PurposeKind
from consentgate.manifest.names import data_name
from consentgate.runtime.engine import Engine
from consentgate.runtime.feed.errors import FeedMisconfigured
from consentgate.runtime.feed.service import FeedService
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.profiles.schemas import AttributeSource
from consentgate.runtime.rights.deadlines import is_provisional, local_date
from consentgate.runtime.rights.fulfilment import EXPORT_LIFETIME
from consentgate.runtime.rights.schemas import RequestStatus, RightsKind, RightsRequest
from consentgate.runtime.settings.schemas import Choice
from consentgate.service.web.access import PersonContext
from consentgate.service.web.privacy_held import held
from consentgate.service.web.privacy_labels import is_masked, purpose_label, recipient_name, when
from consentgate.service.web.render import lang_of, page
from consentgate.text import Text

TEMPLATE = "web/privacy.html.j2"


@dataclass(frozen=True)
class ChoiceView:
    key: str
    purpose: str
    label: Text
    recipient: str | None
    recipient_name: Text | None
    channel: str | None
    data: tuple[Text, ...]
    on: bool
    status: str  # the ledger's last word ("given", "withdrawn", ...) or "none"
    stale: bool  # given on a notice version a material change replaced: asked again when switched on


@dataclass(frozen=True)
class RequestView:
    request_id: str
    kind: str
    status: str
    received: str
    due_on: str
    provisional: bool
    overdue: bool
    finished: str
    refusal: Text | None
    download: bool


@dataclass(frozen=True)
class Correctable:
    data_id: str
    label: Text
    value: str


def feed_of(engine: Engine) -> FeedService | None:
    try:
        return engine.feed
    except FeedMisconfigured:  # the service runs without a content catalog: no feed, no switch
        return None


def center(
    request: Request,
    person: PersonContext,
    *,
    error: Text | None = None,
    error_field: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    engine, subject = person.engine, person.subject
    choices = engine.settings.choices(subject)
    feed = feed_of(engine)
    feed_purpose = feed.purpose if feed is not None else None
    views = [_choice_view(engine, choice) for choice in choices]
    return page(
        request,
        TEMPLATE,
        status=status,
        title=message("web.privacy_title").in_(lang_of(request)),
        app_name=engine.manifest.app.name,
        held=held(engine, subject, choices),
        needed=[v for c, v in zip(choices, views, strict=True) if not c.optional],
        general=[
            v
            for c, v in zip(choices, views, strict=True)
            if c.optional and c.kind is not PurposeKind.MARKETING and c.purpose != feed_purpose
        ],
        marketing=[
            v for c, v in zip(choices, views, strict=True) if c.optional and c.kind is PurposeKind.MARKETING
        ],
        feed_on=feed.is_personalized(subject) if feed is not None else None,
        restricted=engine.consent.restricted(subject),
        correctable=correctable(engine, subject),
        requests=_requests(engine, subject),
        # The rules themselves, one tap away from where a person looks for them (AVIM 1.3).
        notices=[v for n in engine.manifest.notices if (v := engine.notices.current(n.id)) is not None],
        error=error,
        error_field=error_field,
    )


def _choice_view(engine: Engine, choice: Choice) -> ChoiceView:
    manifest = engine.manifest
    return ChoiceView(
        key=choice.key,
        purpose=choice.purpose,
        label=purpose_label(manifest, choice.purpose),
        recipient=choice.recipient,
        recipient_name=recipient_name(manifest, choice.recipient) if choice.recipient else None,
        channel=choice.channel,
        data=tuple(data_name(manifest, d) for d in choice.data),
        on=choice.on,
        status=choice.status.value if choice.status is not None else "none",
        stale=choice.reason is ReasonCode.STALE_NOTICE,
    )


def correctable(engine: Engine, subject: str) -> list[Correctable]:
    """Typed values the person may correct (PIPL 46); tags follow their sources, passwords are changed
    in the app, never typed into a rights request."""
    return [
        Correctable(a.data_id, data_name(engine.manifest, a.data_id), str(a.value))
        for a in engine.profiles.attributes(subject)
        if a.source is AttributeSource.TYPED and not is_masked(engine.manifest, a.data_id)
    ]


def _requests(engine: Engine, subject: str) -> list[RequestView]:
    now = engine.clock.now()
    today = local_date(now)

    def downloadable(r: RightsRequest) -> bool:
        finished = r.finished_at
        done = r.kind is RightsKind.COPY and r.status is RequestStatus.DONE
        return done and finished is not None and finished + EXPORT_LIFETIME > now

    return [
        RequestView(
            request_id=r.request_id,
            kind=r.kind.value,
            status=r.status.value,
            received=when(r.received_at),
            due_on=r.due_on.isoformat(),
            provisional=is_provisional(r.due_on),
            overdue=r.overdue_on(today),
            finished=when(r.finished_at),
            refusal=r.refusal.message if r.refusal is not None else None,
            download=downloadable(r),
        )
        for r in engine.rights.requests_of(subject)
    ]
