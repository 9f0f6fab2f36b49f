"""The HTML report of `consentgate observe`: the audit report's findings, each with what the browser saw
(screenshot thumbnails, the requests involved), and a timeline of every walk against the consent moment.

Still one standalone file: no script, no external resource; screenshots are embedded as
`data:image/png;base64` images. The audit HTML stays image-free; this is a separate template.
Readable on a 390 px phone screen: one column, rows that wrap, no wide tables.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from consentgate.audit.findings import Evidence, Finding
from consentgate.audit.report.document import SEVERITIES, AuditDocument, Verdict, label, severity_label
from consentgate.audit.report.html import FindingView, ManifestView, manifest_view
from consentgate.audit.report.trace_timeline import TraceView, trace_view
from consentgate.i18n import message
from consentgate.observe.model import Observation, ObservedRequest, Party, Walk
from consentgate.observe.traces.timeline import Timeline
from consentgate.text import Lang

TEMPLATE = "observe.html.j2"
_HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}


@dataclass(frozen=True)
class Observed:
    """A target's observation and the folder its screenshots are in."""

    observation: Observation
    folder: Path


@dataclass(frozen=True)
class Event:
    """One timeline row: a screen, a request, a permission ask, a cookie or storage write."""

    seq: int
    kind: str
    phase: str
    text: str
    party: str | None = None
    sent: tuple[str, ...] = ()
    before_consent: bool = False  # seen before the person chose anything (refused or agreed)


@dataclass(frozen=True)
class Moment:
    seq: int
    kind: str  # refused or agreed


@dataclass(frozen=True)
class WalkView:
    walk: Walk
    rows: tuple[Event | Moment, ...]
    shots: tuple[tuple[str, str], ...]  # (screen id, data URI)


@dataclass(frozen=True)
class ObservedFinding:
    view: FindingView
    shots: tuple[tuple[str, str], ...]
    requests: tuple[ObservedRequest, ...]
    others: tuple[Evidence, ...]


@dataclass(frozen=True)
class TargetView:
    manifest: ManifestView
    findings: tuple[ObservedFinding, ...]
    walks: tuple[WalkView, ...]
    device: str | None
    trace: TraceView | None = None  # a trace target's timeline picture (issue 19)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("consentgate.audit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _data_uri(folder: Path, name: str | None) -> str | None:
    """The screenshot as an embedded image; a name that leaves the folder or is missing gives none."""
    if not name:
        return None
    path = (folder / name).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _consent_seq(walk: Walk) -> int | None:
    moments = [s for s in (walk.refused_at, walk.agreed_at) if s is not None]
    return min(moments) if moments else None


def _events(walk: Walk) -> Iterator[Event]:
    chosen = _consent_seq(walk)

    def early(seq: int) -> bool:
        return chosen is None or seq < chosen

    for screen in walk.screens:
        yield Event(
            screen.seq, "screen", screen.phase.value, f"{screen.id} {screen.title} {screen.url}".strip()
        )
    for r in walk.requests:
        sent = tuple(f"{s.category} ({s.where.value}: {s.key})" for s in r.sent)
        text = f"{r.method} {r.url}" + (f" — {r.company}" if r.company else "")
        yield Event(r.seq, "request", r.phase.value, text, r.party.value, sent, early(r.seq))
    for p in walk.permissions:
        yield Event(p.seq, "permission", p.phase.value, p.permission, before_consent=early(p.seq))
    for c in walk.cookies:
        kind = "cookie"
        yield Event(c.seq, kind, c.phase.value, f"{c.name} @ {c.domain}", c.party.value, (), early(c.seq))
    for s in walk.storage:
        yield Event(
            s.seq, "storage", s.phase.value, f"{s.kind}: {s.key} @ {s.origin}", before_consent=early(s.seq)
        )


def _walk_view(walk: Walk, folder: Path) -> WalkView:
    rows: list[Event | Moment] = sorted(_events(walk), key=lambda e: e.seq)
    for seq, kind in ((walk.refused_at, "refused"), (walk.agreed_at, "agreed")):
        if seq is not None:
            at = next((i for i, row in enumerate(rows) if row.seq > seq), len(rows))
            rows.insert(at, Moment(seq, kind))
    shots = tuple(
        (screen.id, uri)
        for screen in walk.screens
        if (uri := _data_uri(folder, screen.screenshot)) is not None
    )
    return WalkView(walk=walk, rows=tuple(rows), shots=shots)


def _requests_of(observation: Observation, evidence: tuple[Evidence, ...]) -> tuple[ObservedRequest, ...]:
    by_key = {(w.path.value, r.seq): r for w in observation.walks for r in w.requests}
    return tuple(
        by_key[(e.walk, e.seq)] for e in evidence if e.kind == "request" and (e.walk, e.seq) in by_key
    )


def _finding(view: FindingView, observed: Observed | None) -> ObservedFinding:
    finding: Finding = view.finding
    if observed is None:
        return ObservedFinding(view, (), (), finding.evidence)
    shots = tuple(
        (e.screenshot or "", uri)
        for e in finding.evidence
        if (uri := _data_uri(observed.folder, e.screenshot)) is not None
    )
    requests = _requests_of(observed.observation, finding.evidence)
    others = tuple(e for e in finding.evidence if e.kind != "request")
    return ObservedFinding(view, tuple(dict(shots).items()), requests, others)


def _target(view: ManifestView, observed: Observed | None, trace: Timeline | None = None) -> TargetView:
    walks = (
        () if observed is None else tuple(_walk_view(w, observed.folder) for w in observed.observation.walks)
    )
    return TargetView(
        manifest=view,
        findings=tuple(_finding(f, observed) for f in view.open),
        walks=walks,
        device=observed.observation.device if observed else None,
        trace=trace_view(trace) if trace is not None else None,
    )


def render_observe_html(
    document: AuditDocument,
    lang: Lang,
    *,
    observed: Mapping[str, Observed],
    traces: Mapping[str, Timeline] | None = None,
) -> str:
    """The whole observe report as one HTML document, escaped throughout (pages observed are untrusted).
    `traces` are the timelines of trace targets, drawn in place of a walk's timeline."""
    traces = traces or {}
    targets = [_target(manifest_view(r), observed.get(r.path), traces.get(r.path)) for r in document.reports]
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            doc=document,
            lang=lang,
            html_lang=_HTML_LANG[lang],
            targets=targets,
            verdict=Verdict.of(document),
            severities=SEVERITIES,
            third=Party.THIRD.value,
            t=lambda key, **values: label(key, lang, **values),
            both=lambda key: message(key).bilingual(),
            severity_label=lambda severity: severity_label(severity, lang),
        )
    )
