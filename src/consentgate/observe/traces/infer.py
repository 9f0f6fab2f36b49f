"""From a trace's timeline to the manifest the rules judge, exactly as the browser's observation is inferred.

The result is the same `Inferred` as `observe/infer.py` (manifest + evidence by pointer), so reports,
drift and the batch share one path. What each tally becomes:
- data read on the device, or sent by the app's own code: `conduct.collections`, with `by` naming the
  SDK's recipient when an SDK read it, and `peak_per_minute` (AVIM 4.4; `unknown` without times);
- data an SDK sent over the network: `conduct.provisions` to that SDK;
- permission asks: `conduct.permissions`; permission states changed without the person:
  `conduct.setting_changes` (AVIM 3.5);
- every SDK: a recipient of kind `sdk`, named by its company where the catalog knows it.

Where the trace is silent, the manifest is too: without a consent moment `before_consent` is left out
(unknown), never guessed. With a declared manifest (`--against`), an SDK that read data after consent
also gets a provision (`despite: none`), so that a recipient the declared purposes never name is drift
(`observe/drift.py`); before consent or after a refusal the SDK rule already reports it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from consentgate.audit.findings import Finding
from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.observe.drift import DRIFT_RULES
from consentgate.observe.evidence import EvidenceKind, EvidenceRef
from consentgate.observe.infer import Inferred, judge, known, slug
from consentgate.observe.merge import add_conduct, declared_base, extend
from consentgate.observe.traces.classify import Actor, ActorKind
from consentgate.observe.traces.tally import Tally
from consentgate.observe.traces.timeline import (
    AskKey,
    ChangeKey,
    Timeline,
    TracePhase,
    UseKey,
    Via,
)
from consentgate.text import Text

_SHORT: dict[str, str] = {
    TracePhase.BEFORE: "before",
    TracePhase.AFTER: "after",
    TracePhase.UNKNOWN: "unknown",
}
_GENERIC = frozenset({"item", "sdk", "app", "android", "ios"})
_BEFORE: dict[str, bool] = {TracePhase.BEFORE: True, TracePhase.AFTER: False}


def infer_trace(
    timeline: Timeline, *, source: str, declared: Manifest | None = None, app_name: str | None = None
) -> Inferred:
    """The manifest the trace shows, on top of `declared` where given. `source` names the file in evidence."""
    builder = _Builder(timeline, source, declared)
    builder.build()
    return Inferred(
        manifest=builder.manifest(app_name or source),
        evidence={k: tuple(v) for k, v in builder.evidence.items()},
        unfinished=builder.notes(),
    )


def drift(timeline: Timeline, declared: Manifest, *, source: str) -> list[Finding]:
    """What the trace shows against the declared manifest: the findings of `observe/drift.py`'s drift rules
    only (an SDK no declared purpose names, data no declared purpose uses), each with the rows as evidence."""
    findings = judge(infer_trace(timeline, source=source, declared=declared), source)
    return [f for f in findings if f.rule_id in DRIFT_RULES]


def _before(phase: TracePhase | str) -> bool | None:
    return _BEFORE.get(phase)


@dataclass
class _Builder:
    timeline: Timeline
    source: str
    declared: Manifest | None
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: list[dict[str, Any]] = field(default_factory=list)
    provisions: list[dict[str, Any]] = field(default_factory=list)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    setting_changes: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, list[EvidenceRef]] = field(default_factory=dict)

    def build(self) -> None:
        for key, tally in sorted(self.timeline.uses.items(), key=lambda kv: _first_row(kv[1])):
            if known(key.category):
                self._use(key, tally)
        for ask, tally in sorted(self.timeline.asks.items(), key=lambda kv: _first_row(kv[1])):
            self._ask(ask, tally)
        for change, tally in sorted(self.timeline.changes.items(), key=lambda kv: _first_row(kv[1])):
            self._change(change, tally)

    def notes(self) -> tuple[Text, ...]:
        if self.timeline.consent is None:
            return (message("observe.trace.no_consent_moment", source=self.source),)
        return ()

    # ------------------------------------------------------------ output

    def manifest(self, app_name: str) -> dict[str, Any]:
        app = {
            "name": app_name,
            "type": "other",
            "basic_service": {"zh": "观察到的运行轨迹", "en": "observed runtime trace"},
        }
        first = self.timeline.first_time
        out = declared_base(self.declared, app, first.date() if first is not None else None)
        extend(out, "data", self.data.values())
        extend(out, "recipients", self.recipients.values())
        add_conduct(out, self.collections, self.provisions, self.permissions, self.setting_changes)
        return out

    def _see(self, at: str, actor: Actor, tally: Tally, phase: TracePhase | str) -> None:
        who = actor_text(actor)
        when = message(f"observe.trace.phase.{_SHORT.get(phase, 'unknown')}")
        refs = self.evidence.setdefault(at, [])
        for row, operation in tally.examples:
            description = message(
                "observe.trace.evidence.row", row=row, operation=operation, actor=who, phase=when
            )
            refs.append(
                EvidenceRef(walk=self.source, seq=row, kind=EvidenceKind.TRACE, description=description)
            )

    # ------------------------------------------------------------ records

    def _use(self, key: UseKey, tally: Tally) -> None:
        data_id = self._data(key.category)
        record_id = _record_id(key.actor, key.category, key.via, key.phase, key.after_refusal)
        before = _before(key.phase)
        sdk = self._recipient(key.actor) if key.actor.kind is ActorKind.SDK else None
        if key.via is Via.REQUEST and sdk is not None:
            self._provision(record_id, sdk, data_id, before, key.after_refusal, key, tally)
            return
        record: dict[str, Any] = {"id": record_id, "data": [data_id]}
        if before is not None:
            record["before_consent"] = before
        if key.after_refusal is not None:
            record["after_refusal"] = key.after_refusal
        if sdk is not None:
            record["by"] = sdk
        record["peak_per_minute"] = tally.peak_per_minute if tally.peak_per_minute is not None else "unknown"
        self.collections.append(record)
        self._see(pointer("conduct", "collections", record_id), key.actor, tally, key.phase)
        if sdk is not None and self.declared is not None and before is False and not key.after_refusal:
            self._provision(f"{record_id}-to", sdk, data_id, before, key.after_refusal, key, tally)

    def _provision(
        self,
        record_id: str,
        recipient: str,
        data_id: str,
        before: bool | None,
        after_refusal: bool | None,
        key: UseKey,
        tally: Tally,
    ) -> None:
        record: dict[str, Any] = {"id": record_id, "recipient": recipient, "data": [data_id]}
        if before is not None:
            record["before_consent"] = before
        if after_refusal:
            record["despite"] = "refusal"
        elif self.declared is not None and after_refusal is not None:
            record["despite"] = "none"
        self.provisions.append(record)
        self._see(pointer("conduct", "provisions", record_id), key.actor, tally, key.phase)
        self._see(pointer("recipients", recipient), key.actor, tally, key.phase)

    def _ask(self, key: AskKey, tally: Tally) -> None:
        record_id = _record_id(key.actor, f"ask-{key.permission}", None, key.phase, key.after_refusal)
        record: dict[str, Any] = {"id": record_id, "permission": key.permission}
        before = _before(key.phase)
        if before is not None:
            record["before_consent"] = before
        if key.after_refusal is not None:
            record["after_refusal"] = key.after_refusal
        self.permissions.append(record)
        self._see(pointer("conduct", "permissions", record_id), key.actor, tally, key.phase)

    def _change(self, key: ChangeKey, tally: Tally) -> None:
        record_id = slug(f"setting-{key.permission}-{key.state or 'changed'}-{len(self.setting_changes) + 1}")
        record: dict[str, Any] = {"id": record_id, "setting": key.permission}
        if key.person_set is not None:
            record["person_set"] = key.person_set
        if key.state is not None:
            record["found"] = key.state
        if key.by_person is not None:
            record["by_person"] = key.by_person
        self.setting_changes.append(record)
        self._see(pointer("conduct", "setting_changes", record_id), Actor(ActorKind.UNKNOWN), tally, "")

    # ------------------------------------------------------------ data and recipients

    def _data(self, category: str) -> str:
        for item in self.declared.data if self.declared else []:
            if item.category == category:
                return item.id
        data_id = slug(category)
        self.data.setdefault(data_id, {"id": data_id, "category": category})
        return data_id

    def _recipient(self, actor: Actor) -> str:
        name = actor.name or "sdk"
        names = {name, actor.company} - {None}
        recipient_id = actor_id(actor)
        for declared in self.declared.recipients if self.declared else []:
            if declared.id == recipient_id or declared.name in names:
                return declared.id  # the declaration already names this SDK
        self.recipients.setdefault(
            recipient_id, {"id": recipient_id, "name": actor.company or name, "kind": "sdk"}
        )
        return recipient_id


def _record_id(
    actor: Actor, what: str, via: Via | None, phase: TracePhase | str, after_refusal: bool | None
) -> str:
    who = actor_id(actor) if actor.kind is ActorKind.SDK else actor.kind.value
    parts = [who, what, "sent" if via is Via.REQUEST else "", _SHORT.get(phase, "unknown")]
    if after_refusal:
        parts.append("refused")
    made = slug("-".join(p for p in parts if p))
    if len(made) <= 80:
        return made
    return f"{made[:71]}-{hashlib.sha256(made.encode()).hexdigest()[:8]}"


def actor_text(actor: Actor) -> Text:
    """How evidence names who acted: the SDK's name in each language, the app itself, or code nobody names."""
    if actor.kind is ActorKind.SDK:
        name = actor.name or "SDK"
        return Text(zh=name, en=actor.name_en or name)
    return message(f"observe.trace.actor.{actor.kind.value}")


def actor_id(actor: Actor) -> str:
    """An id for an SDK: its catalog id (`umeng`), else the Latin letters of its name, else a short hash of a
    name written in Chinese only."""
    if actor.sdk:
        return slug(actor.sdk)
    for name in (actor.name_en, actor.name):
        latin = slug(name or "")
        if len(latin) > 2 and latin not in _GENERIC:
            return latin[:40]
    return f"sdk-{hashlib.sha256((actor.name or '').encode()).hexdigest()[:8]}"


def _first_row(tally: Tally) -> int:
    return tally.examples[0][0] if tally.examples else 0
