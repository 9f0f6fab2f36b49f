"""From what a browser saw to a manifest the rules judge: unknown wherever nothing was seen.

`infer` writes only facts the observation shows. Screens become `onboarding` (fields, required
markers, consent boxes and whether they were pre-ticked, actions by role, what refusing takes beside
accepting), notice screens become `notices`, fields and data seen leaving the browser become `data`,
third-party hosts receiving data become `recipients`, and what happened becomes `conduct`:
collections, provisions and permission asks, each placed against the consent moment of its walk.

Choices made where the observation cannot say:
- `app.type` is `other` unless `declared` gives the app, with the basic service "observed web flow"
  and `necessary_data` left unknown: necessity is then unconfirmed, never judged against a guess.
- A field's purpose counts as shown only where the screen reader found purpose text beside it: a
  screen is read in full, so no text found is stated as absent.
- `notices: []` (stated: none) only when some walk reached a screen and none showed a notice; a walk
  that reached no screen leaves notices unknown.
- A permission's `purpose_shown` is written where the recorder read the screen beside the ask; a setting
  the refusal walk set and found otherwise on reloading is a `setting_changes` record with `by_person:
  false` (that walk never switches a setting on).
- `taps_from_main` comes from the policy search from the main screen: the fewest taps, or one more than
  its limit when a complete search found none; without a search it stays unknown. A policy found only
  that way, with no notice shown in the flow, is a notice `shown: on-request`, not prominent.
- A provision's `despite` is `refusal` after a refusal; otherwise it is stated (`none`) only with a
  declared manifest, whose design the provision is then judged against (drift, `observe/drift.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from consentgate.audit.engine import evaluate
from consentgate.audit.findings import Finding
from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.observe._screen_facts import ACTIONS, blocks_home_by_screen, refusal
from consentgate.observe.evidence import EvidenceKind, EvidenceRef, attach
from consentgate.observe.merge import add_conduct, declared_base, extend
from consentgate.observe.model import (
    ControlRole,
    Observation,
    ObservedRequest,
    ObservedScreen,
    Party,
    PermissionRequest,
    PolicySearch,
    SettingCheck,
    Walk,
    WalkEnd,
)
from consentgate.observe.readability import notice_measures
from consentgate.observe.trackers import tracker_of
from consentgate.text import Text

NOTICE_ID = "observed-notice"


@dataclass(frozen=True)
class Inferred:
    """A manifest in the landed schema (plain data, YAML-serialisable) and what was seen at each pointer."""

    manifest: dict[str, Any]
    evidence: dict[str, tuple[EvidenceRef, ...]]
    # Walks that stopped before the end (login wall, CAPTCHA, timeout, unreachable), in words: what they
    # did not reach is unknown in `manifest`, and reports say why.
    unfinished: tuple[Text, ...] = ()


def infer(observation: Observation, *, declared: Manifest | None = None) -> Inferred:
    """The manifest the observation shows, on top of `declared` where given (its design, our conduct)."""
    builder = _Builder(observation, declared)
    builder.build()
    return Inferred(
        manifest=builder.manifest(),
        evidence={k: tuple(v) for k, v in builder.evidence.items()},
        unfinished=tuple(_unfinished(w) for w in observation.walks if w.end is not WalkEnd.COMPLETED),
    )


def to_yaml(inferred: Inferred) -> str:
    """The inferred manifest as YAML, the way `--manifest-out` writes it."""
    return yaml.safe_dump(inferred.manifest, allow_unicode=True, sort_keys=False)


def judge(inferred: Inferred, path: str = "<observed>") -> list[Finding]:
    """Audits the inferred manifest with every rule, as `audit` would, each finding with its evidence."""
    loaded = parse_manifest(to_yaml(inferred), path)
    return attach(evaluate(loaded), inferred.evidence)


def slug(text: str) -> str:
    """An id from a category, host or name: `contact.phone` → `contact-phone`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


@dataclass
class _Builder:
    observation: Observation
    declared: Manifest | None
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    screens: list[dict[str, Any]] = field(default_factory=list)
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: list[dict[str, Any]] = field(default_factory=list)
    provisions: list[dict[str, Any]] = field(default_factory=list)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    setting_changes: list[dict[str, Any]] = field(default_factory=list)
    notice: dict[str, Any] | None = None
    evidence: dict[str, list[EvidenceRef]] = field(default_factory=dict)
    without_notice: list[EvidenceRef] = field(default_factory=list)

    def build(self) -> None:
        for walk in self.observation.walks:
            self._walk(walk)
        self._notice()
        if self.notice is None and self.without_notice:
            self.evidence[pointer("notices")] = self.without_notice  # every screen read, none with a notice

    # ------------------------------------------------------------ output

    def manifest(self) -> dict[str, Any]:
        out = declared_base(self.declared, _app(self.observation), self.observation.started_at.date())
        extend(out, "data", self.data.values())
        extend(out, "recipients", self.recipients.values())
        extend(out, "onboarding", self.screens)
        if self.notice is not None:
            extend(out, "notices", [self.notice])
        elif self.screens and not (self.declared and self.declared.states("notices")):
            out["notices"] = []
        add_conduct(out, self.collections, self.provisions, self.permissions, self.setting_changes)
        return out

    def _see(self, at: str, ref: EvidenceRef) -> None:
        self.evidence.setdefault(at, []).append(ref)

    # ------------------------------------------------------------ walks

    def _walk(self, walk: Walk) -> None:
        complete = blocks_home_by_screen(walk)
        notice_seq = min((s.seq for s in walk.screens if s.shows_notice), default=None)
        for screen in walk.screens:
            self._screen(walk, screen, blocks_home=complete.get(screen.id))
        for request in walk.requests:
            if request.sent:
                self._request(walk, request, notice_seq)
        for ask in walk.permissions:
            self._permission(walk, ask)
        changed: dict[str, SettingCheck] = {}
        for check in walk.setting_checks:
            if check.changed:
                changed.setdefault(check.setting, check)
        for check in changed.values():
            self._setting_change(walk, check)
        for cookie in walk.cookies:
            if cookie.party is Party.THIRD:
                self._recipient(cookie.domain.lstrip("."), cookie.site)
                ref = _ref(
                    walk,
                    cookie.seq,
                    EvidenceKind.COOKIE,
                    "observe.evidence.cookie",
                    name=cookie.name,
                    host=cookie.domain,
                    phase=cookie.phase.value,
                )
                self._see(pointer("recipients", slug(cookie.site)), ref)

    def _screen(self, walk: Walk, screen: ObservedScreen, *, blocks_home: bool | None) -> None:
        screen_id = f"{walk.path.value}-{screen.id}"
        out: dict[str, Any] = {"id": screen_id, "observed": True}
        if screen.title:
            out["title"] = {"zh": screen.title}
        if blocks_home is not None:
            out["blocks_home"] = blocks_home
        if screen.shows_notice:
            out["notice"] = NOTICE_ID
        out["fields"] = [self._field(f) for f in screen.fields if known(f.category)]
        out["consent_boxes"] = [
            {"purposes": [], **({"pre_ticked": c.checked} if c.checked is not None else {})}
            for c in screen.controls
            if c.role is ControlRole.CONSENT_BOX
        ]
        out["permissions"] = [p.permission for p in walk.permissions if p.screen == screen.id]
        out["actions"] = list(dict.fromkeys(ACTIONS[c.role] for c in screen.controls if c.role in ACTIONS))
        refusal_facts = refusal(screen)
        if refusal_facts is not None:
            out["refusal"] = refusal_facts
        self.screens.append(out)
        ref = _ref(
            walk,
            screen.seq,
            EvidenceKind.SCREEN,
            "observe.evidence.screen",
            screen=screen.id,
            url=screen.url,
            phase=screen.phase.value,
            screenshot=screen.screenshot,
        )
        self._see(pointer("onboarding", screen_id), ref)
        if not screen.shows_notice:
            self.without_notice.append(ref)
        for item in out["fields"]:
            self._see(pointer("data", item["data"]), ref)

    def _field(self, observed: Any) -> dict[str, Any]:
        data_id = self._data(observed.category, observed.label)
        out: dict[str, Any] = {"data": data_id, "purpose_shown": observed.purpose_text is not None}
        if observed.required is not None:
            out["required"] = observed.required
        return out

    def _data(self, category: str, label: str | None = None) -> str:
        data_id = slug(category)
        known = self.declared.data if self.declared else []
        for item in known:
            if item.category == category:
                return item.id
        if data_id not in self.data:
            entry: dict[str, Any] = {"id": data_id, "category": category}
            if label:
                entry["label"] = {"zh": label}
            self.data[data_id] = entry
        return data_id

    def _recipient(self, host: str, site: str) -> str:
        recipient_id = slug(site)
        tracker = tracker_of(host) or tracker_of(site)
        names = {site, host, tracker.company if tracker else site}
        for declared in self.declared.recipients if self.declared else []:
            if declared.id == recipient_id or declared.name in names:
                return declared.id  # the declaration already names this recipient
        if recipient_id in self.recipients:
            return recipient_id
        self.recipients[recipient_id] = {
            "id": recipient_id,
            "name": tracker.company if tracker else site,
            "kind": "sdk" if tracker else "third-party",
        }
        return recipient_id

    def _request(self, walk: Walk, request: ObservedRequest, notice_seq: int | None) -> None:
        data = list(dict.fromkeys(self._data(s.category) for s in request.sent if known(s.category)))
        record_id = f"{walk.path.value}-{request.seq}"
        before_consent = walk.agreed_at is None or request.seq < walk.agreed_at
        after_refusal = walk.refused_at is not None and request.seq > walk.refused_at
        ref = _ref(
            walk,
            request.seq,
            EvidenceKind.REQUEST,
            "observe.evidence.request",
            method=request.method,
            url=request.url,
            phase=request.phase.value,
            data="、".join(data),
        )
        if request.party is Party.FIRST:
            record: dict[str, Any] = {
                "id": record_id,
                "data": data,
                "before_consent": before_consent,
                "before_notice": notice_seq is None or request.seq < notice_seq,
                "after_refusal": after_refusal,
            }
            if request.screen is not None:
                record["screen"] = f"{walk.path.value}-{request.screen}"
            self.collections.append(record)
            self._see(pointer("conduct", "collections", record_id), ref)
            return
        recipient = self._recipient(request.host, request.site)
        provision: dict[str, Any] = {
            "id": record_id,
            "recipient": recipient,
            "data": data,
            "before_consent": before_consent,
        }
        if after_refusal:
            provision["despite"] = "refusal"
        elif self.declared is not None:
            provision["despite"] = "none"
        self.provisions.append(provision)
        self._see(pointer("conduct", "provisions", record_id), ref)
        self._see(pointer("recipients", recipient), ref)

    def _permission(self, walk: Walk, ask: PermissionRequest) -> None:
        record_id = f"{walk.path.value}-{ask.seq}"
        record: dict[str, Any] = {
            "id": record_id,
            "permission": ask.permission,
            "before_consent": walk.agreed_at is None or ask.seq < walk.agreed_at,
            "after_refusal": walk.refused_at is not None and ask.seq > walk.refused_at,
        }
        if ask.purpose_shown is not None:
            record["purpose_shown"] = ask.purpose_shown
        if ask.screen is not None:
            record["screen"] = f"{walk.path.value}-{ask.screen}"
        self.permissions.append(record)
        ref = _ref(
            walk,
            ask.seq,
            EvidenceKind.PERMISSION,
            "observe.evidence.permission",
            permission=ask.permission,
            phase=ask.phase.value,
        )
        self._see(pointer("conduct", "permissions", record_id), ref)

    def _setting_change(self, walk: Walk, check: SettingCheck) -> None:
        """A setting the refusal walk set, found otherwise: nobody but the app changed it (AVIM 3.5)."""
        record_id = f"{walk.path.value}-setting-{len(self.setting_changes) + 1}"
        record: dict[str, Any] = {
            "id": record_id,
            "setting": check.setting,
            "person_set": check.person_set,
            "found": check.found,
            "by_person": False,  # the refusal walk never switches a setting on; nobody else acts in it
        }
        at = pointer("conduct", "setting_changes", record_id)
        screen = next((s for s in walk.screens if s.id == check.set_on), None)
        if screen is not None:
            record["screen"] = f"{walk.path.value}-{screen.id}"
            ref = _ref(
                walk,
                screen.seq,
                EvidenceKind.SCREEN,
                "observe.evidence.setting_set",
                setting=check.setting,
                screen=screen.id,
                url=screen.url,
                screenshot=screen.screenshot,
            )
            self._see(at, ref)
        found = _ref(
            walk,
            check.seq,
            EvidenceKind.SCREEN,
            "observe.evidence.setting_found",
            setting=check.setting,
            url=check.url,
            screenshot=check.screenshot,
        )
        self._see(at, found)
        self.setting_changes.append(record)

    # ------------------------------------------------------------ the notice

    def _notice(self) -> None:
        shown = [(w, s) for w in self.observation.walks for s in w.screens if s.shows_notice]
        searched = next(((w, w.policy_search) for w in self.observation.walks if w.policy_search), None)
        taps = _taps_from_main(searched[1]) if searched else None
        if not shown:
            if searched is not None and searched[1].taps is not None:
                self._notice_on_request(*searched)
            return
        first = min((s for _, s in shown), key=lambda s: (s.taps, s.seq))
        before = all(
            _notice_first(w) for w in self.observation.walks if any(s.shows_notice for s in w.screens)
        )
        notice: dict[str, Any] = {
            "id": NOTICE_ID,
            "version": "observed",
            "shown": "before-collection" if before else "after-collection",
            "prominent": first.taps == 0,
        }
        if taps is not None:
            notice["taps_from_main"] = taps
        read = first.notice_readability
        measures = read.model_dump(mode="json") if read is not None else notice_measures(first.notice_chars)
        if measures:
            notice["readability"] = measures
        self.notice = notice
        for w, screen in shown:
            ref = _ref(
                w,
                screen.seq,
                EvidenceKind.SCREEN,
                "observe.evidence.notice",
                screen=screen.id,
                url=screen.url,
                screenshot=screen.screenshot,
            )
            self._see(pointer("notices", NOTICE_ID), ref)
        if searched is not None and taps is not None:
            self._see(pointer("notices", NOTICE_ID, "taps_from_main"), _search_ref(*searched))

    def _notice_on_request(self, walk: Walk, search: PolicySearch) -> None:
        """No screen of the flow showed a notice, but a policy link was found from the main screen."""
        self.notice = {
            "id": NOTICE_ID,
            "version": "observed",
            "shown": "on-request",
            "prominent": False,
            "taps_from_main": search.taps,
        }
        self._see(pointer("notices", NOTICE_ID), _search_ref(walk, search))


def _ref(
    walk: Walk, seq: int, kind: EvidenceKind, key: str, screenshot: str | None = None, **values: object
) -> EvidenceRef:
    return EvidenceRef(
        walk=walk.path, seq=seq, kind=kind, description=message(key, **values), screenshot=screenshot
    )


def _taps_from_main(search: PolicySearch) -> int | None:
    """The fewest taps found; one more than the limit when a whole search found none; else unknown."""
    if search.taps is not None:
        return search.taps
    return search.limit + 1 if search.complete else None


def _search_ref(walk: Walk, search: PolicySearch) -> EvidenceRef:
    seq = next((s.seq for s in walk.screens if s.id == search.main_screen), 0)
    if search.taps is not None:
        return _ref(
            walk,
            seq,
            EvidenceKind.SCREEN,
            "observe.evidence.policy_found",
            taps=search.taps,
            url=search.main_url,
            via=" › ".join(search.via) or "-",
            screenshot=search.screenshot,
        )
    return _ref(
        walk,
        seq,
        EvidenceKind.SCREEN,
        "observe.evidence.policy_not_found",
        limit=search.limit,
        url=search.main_url,
        pages=search.pages_read,
    )


def _unfinished(walk: Walk) -> Text:
    detail = walk.end_detail or "-"
    return message("observe.infer.unfinished", path=walk.path.value, end=walk.end.value, detail=detail)


def known(category: str | None) -> bool:
    """A category of the taxonomy: anything else the screen reader wrote is left out (unknown), not guessed."""
    return category is not None and category in load_catalog().categories


def _notice_first(walk: Walk) -> bool:
    """Whether the walk showed a notice before any personal data left the browser."""
    notice = min(s.seq for s in walk.screens if s.shows_notice)
    return all(notice < r.seq for r in walk.requests if r.sent)


def _app(observation: Observation) -> dict[str, Any]:
    return {
        "name": observation.first_party,
        "type": "other",
        "basic_service": {"zh": "观察到的网页流程", "en": "observed web flow"},
    }
