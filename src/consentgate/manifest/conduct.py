"""Recorded conduct: what the app actually did, beside what its design says it does.

The rest of the manifest describes the design (purposes, boxes, channels). `conduct:` records events:
messages sent after a person said no, requests received and how they were answered, data provided to
a recipient, data collected before consent or notice, security incidents. Rules judge the events
against the design and against the person's own choice (`rules/cn/conduct_*.py`).

Conduct is optional evidence: a manifest without `conduct:` claims nothing about it, and the conduct
rules stay silent. Inside a record, every fact the rules judge is unknown until stated, as elsewhere.
Records may carry an `id`; findings then point at `/conduct/requests/<id>`, which survives reordering,
and otherwise at the record's index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from enum import StrEnum

from pydantic import Field

from consentgate.manifest.strict import Id, Strict
from consentgate.manifest.unknown import Maybe, Tri


class MessageChannel(StrEnum):
    """The values of `models.Channel`, repeated because models.py imports this module (a test pins them)."""

    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"
    PHONE = "phone"
    IN_APP = "in-app"
    IM = "im"


class SentAfter(StrEnum):
    """What the person had said before the messages were sent."""

    REFUSAL = "refusal"  # refused (or never gave) the consent the messages need, e.g. left the box unticked
    UNSUBSCRIBE = "unsubscribe"  # used the way out the messages offer (回复 TD 退订, an unsubscribe link)
    WITHDRAWAL = "withdrawal"  # withdrew consent to the purpose in settings or through support
    NONE = "none"  # stated: the person had said nothing against them


class SentMessages(Strict):
    """Messages actually sent to one person (or one group alike): what for, how, after what, how many."""

    id: Id | None = None
    purpose: Id | None = Field(default=None, description="The purpose they were sent under")
    channel: Maybe[MessageChannel] = None
    after: Maybe[SentAfter] = Field(
        default=None, description="What the person had said before they were sent"
    )
    count: Maybe[int] = Field(default=None, ge=1)
    first_sent: Maybe[dt.date] = None
    last_sent: Maybe[dt.date] = None


class RequestedRight(StrEnum):
    """The right a request exercised; the first five are the names used under `rights:`."""

    COPY = "copy"
    CORRECT = "correct"
    DELETE = "delete"
    CANCEL_ACCOUNT = "cancel_account"
    RESTRICT = "restrict"
    WITHDRAW = "withdraw"  # withdraw consent (PIPL 15)
    COMPLAINT = "complaint"  # a personal-information complaint or report (AVIM 6.5)


class Outcome(StrEnum):
    FULFILLED = "fulfilled"
    REFUSED = "refused"
    IGNORED = "ignored"  # never answered
    PARTIAL = "partial"  # part done, part refused or left undone


class RightsRequest(Strict):
    """One request a person made: which right, where they sent it, and what became of it."""

    id: Id | None = None
    right: RequestedRight
    channel: Maybe[str] = Field(
        default=None, description="Where it was sent, e.g. in-app, privacy@example.cn"
    )
    channel_published: Tri = Field(
        default=None, description="Whether the app publishes that channel for this right or for complaints"
    )
    received: Maybe[dt.date] = None
    outcome: Maybe[Outcome] = None
    answered: Maybe[dt.date] = None
    reason: Maybe[str] = Field(
        default=None, description="The reason given for a refusal; `none` = no reason given"
    )
    data: list[Id] = Field(default_factory=list, description="The data items the request was about")
    purpose: Id | None = Field(
        default=None, description="For a withdrawal: the purpose consent was withdrawn from"
    )

    @property
    def gave_reason(self) -> bool | None:
        """True or False as stated (`none` or empty is False); None when the manifest does not say."""
        if self.reason is None:
            return None
        return self.reason.strip().lower() not in ("", "none")


class Despite(StrEnum):
    """What the person had said against the provision."""

    REFUSAL = "refusal"  # refused the sharing when asked
    UNTICKED_BOX = "unticked-box"  # left the box for this sharing (or this recipient) unticked
    WITHDRAWAL = "withdrawal"  # withdrew the consent it rested on
    NONE = "none"  # stated: the person had said nothing against it


class Provision(Strict):
    """Personal information actually provided to a recipient."""

    id: Id | None = None
    recipient: Id
    data: list[Id] = Field(default_factory=list)
    purpose: Id | None = None
    despite: Maybe[Despite] = Field(default=None, description="What the person had said against it")
    date: Maybe[dt.date] = None
    # Issue 18 (observe): seen leaving the browser for this recipient before the person consented.
    before_consent: Tri = Field(
        default=None, description="Provided before the person consented to anything (AVIM 3.1)"
    )


class Collection(Strict):
    """Personal information actually collected, and whether that came before consent or the notice."""

    id: Id | None = None
    data: list[Id] = Field(default_factory=list)
    before_consent: Tri = None
    before_notice: Tri = None
    screen: Id | None = Field(default=None, description="The onboarding screen where it was collected")
    date: Maybe[dt.date] = None
    # Issue 18 (observe): collected although the person had refused, skipped or chosen browse-only.
    after_refusal: Tri = Field(
        default=None,
        description="Collected after the person refused, skipped or chose browse-only (AVIM 3.2)",
    )
    # Issue 19 (traces): who collected it and how often.
    by: Id | None = Field(
        default=None,
        description="The recipient (an embedded SDK's company) that collected it; absent: the app itself",
    )
    peak_per_minute: Maybe[int] = Field(
        default=None, ge=1, description="Most reads of it seen in any one minute (AVIM 4.4)"
    )


class PermissionAsk(Strict):
    """A system permission the app asked for (issue 18: seen by observe), and what the person knew then."""

    id: Id | None = None
    permission: str = Field(description="geolocation, notifications, camera, microphone, clipboard-read, ...")
    screen: Id | None = Field(default=None, description="The onboarding screen it was asked on")
    before_consent: Tri = Field(default=None, description="Asked before the person consented (AVIM 3.1)")
    after_refusal: Tri = Field(default=None, description="Asked after the person refused (AVIM 3.2)")
    purpose_shown: Tri = Field(
        default=None, description="Its purpose was on screen when it was asked (AVIM 2.3)"
    )


class SettingChange(Strict):
    """A permission or privacy setting the person set, found later in another state (AVIM 3.5).

    `by_person: false` states that the person did not change it themselves (an update or the app reset
    it); observe writes it when a setting it set is found changed without any act of the walker.
    """

    id: Id | None = None
    setting: str = Field(description="The permission or setting, e.g. notifications, 个性化推荐")
    person_set: Maybe[str] = Field(default=None, description="What the person set it to, e.g. denied, off")
    found: Maybe[str] = Field(default=None, description="The state it was later found in, e.g. granted, on")
    by_person: Tri = Field(default=None, description="The person changed it themselves")
    screen: Id | None = Field(default=None, description="The onboarding screen it was found on")


class IncidentKind(StrEnum):
    """The three harms Civil Code 1038 names: 泄露、篡改、丢失."""

    LEAK = "leak"
    TAMPERING = "tampering"
    LOSS = "loss"


class Incident(Strict):
    """A personal-information security incident, and what was done about it."""

    id: Id | None = None
    kind: Maybe[IncidentKind] = None
    date: Maybe[dt.date] = None
    data: list[Id] = Field(default_factory=list)
    people_affected: Maybe[int] = Field(default=None, ge=0)
    remedied: Tri = None
    notified_people: Tri = None
    notified_authority: Tri = None


Segments = tuple[str | int, ...]


Record = SentMessages | RightsRequest | Provision | Collection | Incident | PermissionAsk | SettingChange


def segment(record: Record, index: int) -> str | int:
    """A record's place in a pointer: its id where it has one (as the loader names it), else its index."""
    return record.id if record.id is not None else index


class Conduct(Strict):
    """What happened: messages, requests, provisions, collections, incidents, permissions, setting changes."""

    messages: list[SentMessages] = Field(default_factory=list)
    requests: list[RightsRequest] = Field(default_factory=list)
    provisions: list[Provision] = Field(default_factory=list)
    collections: list[Collection] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
    permissions: list[PermissionAsk] = Field(
        default_factory=list, description="System permissions asked for (issue 18: observed)"
    )
    setting_changes: list[SettingChange] = Field(
        default_factory=list, description="Settings the person set, found changed (AVIM 3.5)"
    )

    def references(self) -> Iterator[tuple[str, str, Segments]]:
        """(kind, referenced id, pointer segments) of every id a record refers to, for `references.py`."""
        base = ("conduct",)
        for i, message in enumerate(self.messages):
            if message.purpose is not None:
                yield "purposes", message.purpose, (*base, "messages", segment(message, i), "purpose")
        for i, request in enumerate(self.requests):
            at = (*base, "requests", segment(request, i))
            yield from _data_refs(request.data, at)
            if request.purpose is not None:
                yield "purposes", request.purpose, (*at, "purpose")
        for i, provision in enumerate(self.provisions):
            at = (*base, "provisions", segment(provision, i))
            yield "recipients", provision.recipient, (*at, "recipient")
            yield from _data_refs(provision.data, at)
            if provision.purpose is not None:
                yield "purposes", provision.purpose, (*at, "purpose")
        for i, collection in enumerate(self.collections):
            at = (*base, "collections", segment(collection, i))
            yield from _data_refs(collection.data, at)
            if collection.screen is not None:
                yield "screens", collection.screen, (*at, "screen")
            if collection.by is not None:
                yield "recipients", collection.by, (*at, "by")
        for i, incident in enumerate(self.incidents):
            yield from _data_refs(incident.data, (*base, "incidents", segment(incident, i)))
        for i, ask in enumerate(self.permissions):
            if ask.screen is not None:
                yield "screens", ask.screen, (*base, "permissions", segment(ask, i), "screen")
        for i, change in enumerate(self.setting_changes):
            if change.screen is not None:
                yield "screens", change.screen, (*base, "setting_changes", segment(change, i), "screen")


def _data_refs(data: Sequence[str], at: Segments) -> Iterator[tuple[str, str, Segments]]:
    for j, data_id in enumerate(data):
        yield "data", data_id, (*at, "data", j)
