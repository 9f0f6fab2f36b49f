"""The pure next-screen logic: screens compiled once from manifest and policy, then folded over progress.

Nothing here touches a database or a clock, so the rules that make onboarding lawful can be read
(and tested) in one place:

- a field is required only when the law lists its data as necessary PI for the app type's basic
  function (`Policy.necessary_data`) — the manifest's `required` flag is ignored, because a
  manifest may be wrong and the runtime must still be lawful;
- every other field is optional and offers skip and "don't collect"; answering it gives nothing
  (PIPL 14, 16: consent is an explicit act). Only a ticked box gives consent, and an answer is kept
  only while a consent for its purpose is live (`submission.py`);
- every box covers one purpose, and one recipient where sharing needs separate consent (PIPL 23),
  however the manifest bundles them; a screen whose fields need consent for a purpose it has no box
  for gets one, so there is always an explicit way to agree;
- a screen that only shows the notice always offers browse-only mode beside agreeing;
- a refused or answered question is not asked again (until reopened from settings), and a screen
  whose questions are all closed is passed over, so the flow always reaches home after only the
  necessary data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from consentgate.manifest.models import ConsentBox, Manifest, RecipientKind, Screen, ScreenAction
from consentgate.manifest.names import data_name, label_text
from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.onboarding.schemas import ConsentBoxView, FieldView, NoticeRef, ScreenView
from consentgate.runtime.policy import Policy
from consentgate.text import Text

OPTIONAL_ACTIONS = (ScreenAction.SUBMIT, ScreenAction.SKIP, ScreenAction.REFUSE)
REQUIRED_ACTIONS = (ScreenAction.SUBMIT,)
# Refusing the notice must not shut the app (MIIT 2023 notice; AVIM 4.2): browse-only is always offered.
NOTICE_ACTIONS = (ScreenAction.AGREE, ScreenAction.BROWSE)

# Whether a consent for (purpose, recipient) is live now and covers a data item: the gate's own rule.
Live = Callable[[str, str | None, str], bool]


def nothing_live(_purpose: str, _recipient: str | None, _data: str) -> bool:
    """For someone without an account: no consent can be live."""
    return False


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
    asks: tuple[ConsentAsk, ...]  # consent an answer needs to be kept (empty for necessary data)
    # Per purpose, the derived items (profile tags) the manifest computes from this field.
    derived: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def covers(self, purpose: str) -> tuple[str, ...]:
        return (self.data_id, *dict(self.derived).get(purpose, ()))


@dataclass(frozen=True)
class BoxPlan:
    """One tick box: exactly one purpose, and one recipient when the purpose shares with third parties."""

    box_id: str
    purpose: str
    recipient: str | None
    data: tuple[str, ...]  # what the consent covers: the purpose's data that need consent
    ask: ConsentAsk | None  # None when the purpose needs no consent: ticking it records nothing

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.purpose, self.recipient)


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

    @property
    def shows_notice_only(self) -> bool:
        """A screen that asks nothing but shows the notice: where browse-only is offered."""
        return self.notice_id is not None and not self.fields and not self.boxes

    def boxes_for(self, field_plan: FieldPlan) -> tuple[BoxPlan, ...]:
        """The boxes whose tick keeps an answer to `field_plan`."""
        wanted = {(a.purpose, r) for a in field_plan.asks for r in a.recipients}
        return tuple(b for b in self.boxes if b.key in wanted)


@dataclass(frozen=True)
class Progress:
    closed: Mapping[str, QuestionStatus] = field(default_factory=dict)
    passed: frozenset[str] = frozenset()


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
        fields.append(FieldPlan(data_id, data_name(manifest, data_id), required, purposes, needing, derived))
    boxes: dict[str, BoxPlan] = {}
    for box in screen.consent_boxes:
        for plan in split_box(policy, asks, box):
            boxes.setdefault(plan.box_id, plan)
    # A field that needs consent for a purpose the screen has no box for gets one: only a tick consents.
    for f in fields:
        for ask in f.asks:
            for recipient in ask.recipients:
                plan = _box(policy, asks, ask.purpose, recipient)
                boxes.setdefault(plan.box_id, plan)
    return ScreenPlan(
        screen_id=screen.id,
        title=label_text(screen.title),
        notice_id=screen.notice or _covering_notice(manifest, [b.purpose for b in boxes.values()]),
        blocks_home=screen.blocks_home is not False,
        fields=tuple(fields),
        boxes=tuple(boxes.values()),
        manifest_actions=tuple(screen.actions),
    )


def split_box(policy: Policy, asks: Mapping[str, ConsentAsk], box: ConsentBox) -> list[BoxPlan]:
    """A manifest box as the runtime asks it: one box per purpose, and per recipient for sharing.

    A manifest that bundles purposes or recipients in one box is a finding for the auditor; the
    runtime never lets one tick cover them together (PIPL 14: specific; PIPL 23: per recipient).
    """
    plans = []
    for purpose in box.purposes:
        ask = asks[purpose]
        recipients = [r for r in ask.recipients if r is None or not box.recipients or r in box.recipients]
        plans += [_box(policy, asks, purpose, r) for r in recipients]
    return plans


def _box(policy: Policy, asks: Mapping[str, ConsentAsk], purpose_id: str, recipient: str | None) -> BoxPlan:
    purpose = policy.purposes[purpose_id]
    data = tuple(sorted(purpose.data - purpose.without_consent))
    ask = asks[purpose_id] if purpose.needs_consent else None
    return BoxPlan(box_id(purpose_id, recipient), purpose_id, recipient, data, ask)


def box_id(purpose: str, recipient: str | None = None) -> str:
    """A box's stable key from what it covers; `:` cannot occur in an id, so it never collides."""
    return f"consent:{purpose}" + (f":{recipient}" if recipient else "")


def _derived_from(manifest: Manifest, policy: Policy, purpose_id: str, data_id: str) -> tuple[str, ...]:
    return tuple(
        d for d in sorted(policy.purposes[purpose_id].data) if data_id in manifest.data_item(d).derived_from
    )


def _needs_consent(policy: Policy, purpose_id: str, data_id: str) -> bool:
    purpose = policy.purposes.get(purpose_id)
    return purpose is not None and data_id not in purpose.without_consent


def _covering_notice(manifest: Manifest, purposes: list[str]) -> str | None:
    """A screen that names no notice still asks under the first notice that covers its purposes."""
    for notice in manifest.notices:
        if not notice.purposes or set(purposes) <= set(notice.purposes):
            return notice.id
    return None


# ---------------------------------------------------------------------- progress


def open_fields(plan: ScreenPlan, progress: Progress) -> tuple[FieldPlan, ...]:
    return tuple(f for f in plan.fields if f.data_id not in progress.closed)


def open_boxes(plan: ScreenPlan, progress: Progress) -> tuple[BoxPlan, ...]:
    return tuple(b for b in plan.boxes if b.box_id not in progress.closed)


def kept_as_is(plan: ScreenPlan, field_plan: FieldPlan, live: Live) -> bool:
    """An answer is kept without a tick: necessary data, or a consent for its purpose is live already."""
    return not field_plan.asks or any(
        live(a.purpose, r, field_plan.data_id) for a in field_plan.asks for r in a.recipients
    )


def shown_boxes(plan: ScreenPlan, progress: Progress, live: Live) -> tuple[BoxPlan, ...]:
    """The open boxes, and any box an open field needs whose consent is not live (e.g. after reopening)."""
    needed = {
        b.box_id
        for f in open_fields(plan, progress)
        if not kept_as_is(plan, f, live)
        for b in plan.boxes_for(f)
    }
    return tuple(b for b in plan.boxes if b.box_id not in progress.closed or b.box_id in needed)


def is_done(plan: ScreenPlan, progress: Progress) -> bool:
    """All questions closed; a screen that asks nothing (a notice, say) is done once passed."""
    if open_fields(plan, progress) or open_boxes(plan, progress):
        return False
    return bool(plan.questions) or plan.screen_id in progress.passed


def next_plan(plans: Iterable[ScreenPlan], progress: Progress) -> ScreenPlan | None:
    return next((plan for plan in plans if not is_done(plan, progress)), None)


def notice_seen(plans: Iterable[ScreenPlan], plan: ScreenPlan, progress: Progress) -> bool:
    """Whether the person already passed a screen showing this screen's notice: show it once, not again."""
    return plan.notice_id is not None and any(
        p.screen_id in progress.passed and p.notice_id == plan.notice_id and p is not plan for p in plans
    )


def view(
    plan: ScreenPlan | None,
    progress: Progress,
    notice: NoticeRef | None,
    live: Live = nothing_live,
    *,
    seen: bool = False,
) -> ScreenView:
    if plan is None:
        return ScreenView.home()
    fields = open_fields(plan, progress)
    boxes = shown_boxes(plan, progress, live)
    optional = any(not f.required for f in fields) or bool(boxes)
    lawful: tuple[ScreenAction, ...] = OPTIONAL_ACTIONS if optional else REQUIRED_ACTIONS
    if plan.shows_notice_only:
        lawful = NOTICE_ACTIONS
    # The manifest's own buttons stay (wording matters to the app), the lawful ones are always added.
    actions = tuple(dict.fromkeys(plan.manifest_actions + lawful))
    shown = {b.box_id for b in boxes}
    return ScreenView(
        screen_id=plan.screen_id,
        is_home=False,
        title=plan.title,
        notice=notice,
        fields=tuple(
            FieldView(
                data_id=f.data_id,
                label=f.label,
                required=bool(f.required),
                purposes=f.purposes,
                actions=REQUIRED_ACTIONS if f.required else OPTIONAL_ACTIONS,
                kept_only_with=()
                if kept_as_is(plan, f, live)
                else tuple(b.box_id for b in plan.boxes_for(f) if b.box_id in shown),
            )
            for f in fields
        ),
        consent_boxes=tuple(
            ConsentBoxView(b.box_id, (b.purpose,), (b.recipient,) if b.recipient else ()) for b in boxes
        ),
        actions=actions,
        blocks_home=plan.blocks_home,
        notice_seen=seen,
    )


def given(value: Any) -> bool:
    """An empty answer is no answer: it means "don't collect"."""
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())
