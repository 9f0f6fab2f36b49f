"""The pure next-screen logic: screens compiled once from manifest and policy, then folded over progress.

Nothing here touches a database or a clock, so the rules that make onboarding lawful can be read
(and tested) in one place:

- a field is required only when the law lists its data as necessary PI for the app type's basic
  function (`Policy.necessary_data`) — the manifest's `required` flag is ignored, because a
  manifest may be wrong and the runtime must still be lawful;
- every other field is optional and offers skip and "don't collect"; submitting it gives consent
  for the purposes that need it, leaving it empty or skipping refuses them;
- a refused or answered question is not asked again (until reopened from settings), and a screen
  whose questions are all closed is passed over, so the flow always reaches home after only the
  necessary data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import Manifest, RecipientKind, Screen, ScreenAction
from consentgate.runtime.consent.schemas import (
    EventKind,
    Evidence,
    FactKey,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.onboarding.errors import RequiredFieldMissing
from consentgate.runtime.onboarding.schemas import ConsentBoxView, FieldView, NoticeRef, ScreenView
from consentgate.runtime.policy import Policy
from consentgate.text import Text

OPTIONAL_ACTIONS = (ScreenAction.SUBMIT, ScreenAction.SKIP, ScreenAction.REFUSE)
REQUIRED_ACTIONS = (ScreenAction.SUBMIT,)


class QuestionStatus(StrEnum):
    ANSWERED = "answered"
    REFUSED = "refused"


@dataclass(frozen=True)
class ConsentAsk:
    """How consent for one purpose is asked: per named recipient when sharing needs it (PIPL 23)."""

    purpose: str
    mechanism: Mechanism
    recipients: tuple[str | None, ...]


@dataclass(frozen=True)
class FieldPlan:
    data_id: str
    label: Text
    required: bool
    purposes: tuple[str, ...]
    asks: tuple[ConsentAsk, ...]  # consent this field needs when given (empty for necessary data)
    # Per purpose, the derived items (profile tags) the manifest computes from this field: an
    # answer given for a purpose covers the tags that purpose derives from it, as the notice says.
    derived: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def covers(self, purpose: str) -> tuple[str, ...]:
        return (self.data_id, *dict(self.derived).get(purpose, ()))


@dataclass(frozen=True)
class BoxPlan:
    box_id: str
    purposes: tuple[str, ...]
    data: tuple[str, ...]  # what the consent covers: the purposes' data that need consent
    asks: tuple[ConsentAsk, ...]


@dataclass(frozen=True)
class ScreenPlan:
    screen_id: str
    title: Text | None
    notice_id: str | None
    blocks_home: bool
    fields: tuple[FieldPlan, ...]
    boxes: tuple[BoxPlan, ...]
    manifest_actions: tuple[ScreenAction, ...]

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(f.data_id for f in self.fields) + tuple(b.box_id for b in self.boxes)


@dataclass(frozen=True)
class Progress:
    closed: Mapping[str, QuestionStatus] = field(default_factory=dict)
    passed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Outcome:
    """What a submit or skip decides, before anything is written."""

    answered: tuple[FieldPlan, ...]
    accepted: tuple[BoxPlan, ...]
    refused: tuple[str, ...]  # questions closed without an answer
    events: tuple[NewConsentEvent, ...]


# ---------------------------------------------------------------------- compile


def compile_screens(manifest: Manifest, policy: Policy) -> tuple[ScreenPlan, ...]:
    asks = {p: _ask(manifest, policy, p) for p in policy.purposes}
    return tuple(_screen(manifest, policy, asks, screen) for screen in manifest.onboarding)


def _ask(manifest: Manifest, policy: Policy, purpose_id: str) -> ConsentAsk:
    purpose = policy.purposes[purpose_id]
    recipients: tuple[str | None, ...] = (None,)
    if purpose.separate_for_recipients:
        recipients = tuple(
            r for r in sorted(purpose.recipients) if manifest.recipient(r).kind is not RecipientKind.ENTRUSTED
        )
    separate = purpose.basis.is_separate or purpose.separate_for_recipients or bool(purpose.separate_for_data)
    return ConsentAsk(purpose_id, Mechanism.SEPARATE if separate else Mechanism.IN_FLOW, recipients)


def _screen(manifest: Manifest, policy: Policy, asks: Mapping[str, ConsentAsk], screen: Screen) -> ScreenPlan:
    fields = []
    for screen_field in screen.fields:
        data_id = screen_field.data
        purposes = tuple(screen_field.purposes) or tuple(p.id for p in manifest.purposes_using(data_id))
        required = data_id in policy.necessary_data
        needing = () if required else tuple(asks[p] for p in purposes if _needs_consent(policy, p, data_id))
        derived = tuple((a.purpose, _derived_from(manifest, policy, a.purpose, data_id)) for a in needing)
        fields.append(FieldPlan(data_id, _label(manifest, data_id), required, purposes, needing, derived))
    boxes = []
    for box in screen.consent_boxes:
        purposes = tuple(box.purposes)
        data = sorted(
            {d for p in purposes for d in policy.purposes[p].data - policy.purposes[p].without_consent}
        )
        needing = tuple(asks[p] for p in purposes if policy.purposes[p].needs_consent)
        boxes.append(BoxPlan(box_id(purposes), purposes, tuple(data), needing))
    return ScreenPlan(
        screen_id=screen.id,
        title=_text(screen.title.zh, screen.title.en) if screen.title else None,
        notice_id=screen.notice or _covering_notice(manifest, [a.purpose for a in _asks(fields, boxes)]),
        blocks_home=screen.blocks_home,
        fields=tuple(fields),
        boxes=tuple(boxes),
        manifest_actions=tuple(screen.actions),
    )


def _derived_from(manifest: Manifest, policy: Policy, purpose_id: str, data_id: str) -> tuple[str, ...]:
    return tuple(
        d for d in sorted(policy.purposes[purpose_id].data) if data_id in manifest.data_item(d).derived_from
    )


def _asks(fields: Iterable[FieldPlan], boxes: Iterable[BoxPlan]) -> list[ConsentAsk]:
    return [a for f in fields for a in f.asks] + [a for b in boxes for a in b.asks]


def box_id(purposes: Iterable[str]) -> str:
    """A consent box's stable key; `:` cannot occur in a data id, so it never collides with a field."""
    return "consent:" + "+".join(purposes)


def _needs_consent(policy: Policy, purpose_id: str, data_id: str) -> bool:
    purpose = policy.purposes.get(purpose_id)
    return purpose is not None and data_id not in purpose.without_consent


def _covering_notice(manifest: Manifest, purposes: list[str]) -> str | None:
    """A screen that names no notice still asks under the first notice that covers its purposes."""
    for notice in manifest.notices:
        if not notice.purposes or set(purposes) <= set(notice.purposes):
            return notice.id
    return None


def _label(manifest: Manifest, data_id: str) -> Text:
    item = manifest.data_item(data_id)
    if item.label is not None and (item.label.zh or item.label.en):
        return _text(item.label.zh, item.label.en)
    category = load_catalog().categories.get(item.category)
    return category.label if category is not None else Text(zh=data_id, en=data_id)


def _text(zh: str | None, en: str | None) -> Text:
    return Text(zh=zh or en or "", en=en or zh or "")


# ---------------------------------------------------------------------- progress


def open_fields(plan: ScreenPlan, progress: Progress) -> tuple[FieldPlan, ...]:
    return tuple(f for f in plan.fields if f.data_id not in progress.closed)


def open_boxes(plan: ScreenPlan, progress: Progress) -> tuple[BoxPlan, ...]:
    return tuple(b for b in plan.boxes if b.box_id not in progress.closed)


def is_done(plan: ScreenPlan, progress: Progress) -> bool:
    """All questions closed; a screen that asks nothing (a notice, say) is done once passed."""
    if open_fields(plan, progress) or open_boxes(plan, progress):
        return False
    return bool(plan.questions) or plan.screen_id in progress.passed


def next_plan(plans: Iterable[ScreenPlan], progress: Progress) -> ScreenPlan | None:
    return next((plan for plan in plans if not is_done(plan, progress)), None)


def view(plan: ScreenPlan | None, progress: Progress, notice: NoticeRef | None) -> ScreenView:
    if plan is None:
        return ScreenView.home()
    fields = open_fields(plan, progress)
    boxes = open_boxes(plan, progress)
    optional = any(not f.required for f in fields) or bool(boxes)
    lawful = OPTIONAL_ACTIONS if optional else REQUIRED_ACTIONS
    # The manifest's own buttons stay (wording matters to the app), the lawful ones are always added.
    actions = tuple(dict.fromkeys(plan.manifest_actions + lawful))
    return ScreenView(
        screen_id=plan.screen_id,
        is_home=False,
        title=plan.title,
        notice=notice,
        fields=tuple(
            FieldView(
                data_id=f.data_id,
                label=f.label,
                required=f.required,
                purposes=f.purposes,
                actions=REQUIRED_ACTIONS if f.required else OPTIONAL_ACTIONS,
            )
            for f in fields
        ),
        consent_boxes=tuple(
            ConsentBoxView(b.box_id, b.purposes, tuple(r for a in b.asks for r in a.recipients if r))
            for b in boxes
        ),
        actions=actions,
        blocks_home=plan.blocks_home,
    )


# ---------------------------------------------------------------------- submit and skip


def given(value: Any) -> bool:
    """An empty answer is no answer: it means "don't collect"."""
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def plan_submit(
    plan: ScreenPlan,
    progress: Progress,
    values: Mapping[str, Any],
    facts: SubjectFacts,
    *,
    subject: str,
    notice: NoticeRef | None,
    evidence: Evidence,
) -> Outcome:
    """Answers the fields given; every open question left empty is refused (and its purposes too)."""
    missing = [
        f.data_id for f in open_fields(plan, progress) if f.required and not given(values.get(f.data_id))
    ]
    if missing:
        raise RequiredFieldMissing.from_key(
            "runtime.required_missing", screen=plan.screen_id, data=", ".join(missing)
        )
    answered = tuple(f for f in plan.fields if given(values.get(f.data_id)))
    accepted = tuple(b for b in plan.boxes if values.get(b.box_id) is True)
    answered_ids = {f.data_id for f in answered} | {b.box_id for b in accepted}
    left = [f for f in open_fields(plan, progress) if f.data_id not in answered_ids]
    left_boxes = [b for b in open_boxes(plan, progress) if b.box_id not in answered_ids]
    gives = _keep_live_scope(_gives(answered, accepted), facts)
    events = _events(subject, gives, EventKind.GIVEN, notice, evidence)
    given_keys = {(e.purpose, e.recipient) for e in events}
    refusals = _refusals(left, left_boxes, facts, given_keys)
    events += _events(subject, refusals, EventKind.REFUSED, notice, evidence)
    refused = tuple(f.data_id for f in left) + tuple(b.box_id for b in left_boxes)
    return Outcome(answered, accepted, refused, tuple(events))


def plan_skip(
    plan: ScreenPlan,
    progress: Progress,
    facts: SubjectFacts,
    *,
    subject: str,
    notice: NoticeRef | None,
    evidence: Evidence,
) -> Outcome:
    """Skipping refuses every open optional question; necessary data cannot be skipped."""
    return plan_submit(plan, progress, {}, facts, subject=subject, notice=notice, evidence=evidence)


def _gives(
    answered: Iterable[FieldPlan], accepted: Iterable[BoxPlan]
) -> dict[tuple[ConsentAsk, str | None], list[str]]:
    """(ask, recipient) -> the data the consent covers, merged when a field and a box share a purpose."""
    gives: dict[tuple[ConsentAsk, str | None], list[str]] = {}
    for f in answered:
        for ask in f.asks:
            for recipient in ask.recipients:
                gives.setdefault((ask, recipient), []).extend(f.covers(ask.purpose))
    for b in accepted:
        for ask in b.asks:
            for recipient in ask.recipients:
                gives.setdefault((ask, recipient), []).extend(b.data)
    return gives


def _keep_live_scope(
    gives: dict[tuple[ConsentAsk, str | None], list[str]], facts: SubjectFacts
) -> dict[tuple[ConsentAsk, str | None], list[str]]:
    """A new answer widens a live consent, never narrows it: the last event decides what it covers.

    A live consent with no data list covers all the purpose's data and stays that way.
    """
    for (ask, recipient), data in gives.items():
        fact = facts.get((ask.purpose, recipient))
        if fact is not None and fact.status is EventKind.GIVEN:
            if not fact.data:
                data.clear()
            else:
                data[:0] = fact.data
    return gives


def _refusals(
    fields: Iterable[FieldPlan],
    boxes: Iterable[BoxPlan],
    facts: SubjectFacts,
    given_now: set[FactKey],
) -> dict[tuple[ConsentAsk, str | None], list[str]]:
    """Purposes of the declined questions, except those consented (now or before) or already refused.

    Declining one more question must not act as a withdrawal of a consent the person gave earlier.
    """
    refusals: dict[tuple[ConsentAsk, str | None], list[str]] = {}
    declined = [(a, (f.data_id,)) for f in fields for a in f.asks] + [
        (a, b.data) for b in boxes for a in b.asks
    ]
    for ask, data in declined:
        for recipient in ask.recipients:
            key = (ask.purpose, recipient)
            fact = facts.get(key)
            if key in given_now or (fact is not None and fact.status in {EventKind.GIVEN, EventKind.REFUSED}):
                continue
            refusals.setdefault((ask, recipient), []).extend(data)
    return refusals


def _events(
    subject: str,
    asks: Mapping[tuple[ConsentAsk, str | None], list[str]],
    kind: EventKind,
    notice: NoticeRef | None,
    evidence: Evidence,
) -> list[NewConsentEvent]:
    return [
        NewConsentEvent(
            subject=subject,
            purpose=ask.purpose,
            kind=kind,
            data=tuple(dict.fromkeys(data)),
            recipient=recipient,
            notice_id=notice.notice_id if notice else None,
            notice_version=notice.version if notice else None,
            mechanism=ask.mechanism,
            evidence=evidence,
        )
        for (ask, recipient), data in asks.items()
    ]
