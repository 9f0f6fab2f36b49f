"""`consentgate observe camille.xls`: a trace file as a target, judged on the same tail as a browser walk.

A target that is an existing file is a trace, recognised by its content. It is read once, streamed
through the classifier into a timeline (never held whole), inferred into a manifest and audited by the
same engine; the timeline's summary is written to the target's evidence folder as `timeline.json`. A
file that breaks partway (a truncated export, a bad line) becomes that target's bilingual, located
error, and the rest of a batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from consentgate.audit.findings import ManifestReport
from consentgate.errors import ConsentgateError, UsageError
from consentgate.observe.report import crashed
from consentgate.observe.run import ObserveOptions, TargetResult, conclude
from consentgate.observe.traces.tally import Tally
from consentgate.observe.traces.timeline import Moment, Timeline, actor_label, fold

TIMELINE_FILE = "timeline.json"


def is_trace_target(target: str) -> bool:
    """A target naming an existing file is a trace; anything else must be an http(s) URL."""
    return "://" not in target and Path(target).is_file()


def check_trace(target: str) -> str:
    """The file must be a trace by its content; otherwise a bilingual usage error before anything runs."""
    from consentgate.observe.traces.read import open_trace, sniff

    path = Path(target)
    try:
        found = sniff(path)
    except OSError as e:
        raise UsageError.from_key("trace.unreadable", path=path, problem=e.strerror or e) from None
    if found is None:
        open_trace(path)  # raises the precise error: not a trace, or a workbook cut short
    return target


def parse_consent_at(value: str | None) -> datetime | None:
    """`--consent-at`: an ISO 8601 time (2026-03-01T10:15:00+08:00; without an offset, UTC)."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError.from_key("observe.trace.error.consent_at", value=value) from None


def folder_name(path: Path) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", path.name).strip("_")[:60] or "trace"
    return f"{readable}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]}"


def observe_trace(target: str, options: ObserveOptions, *, root: Path, many: bool) -> TargetResult:
    """Read, fold, infer, audit one trace; an unreadable or broken file is this target's error only."""
    from consentgate.observe.traces.infer import infer_trace
    from consentgate.observe.traces.read import open_trace

    path = Path(target)
    folder = root / folder_name(path)
    try:
        reading = open_trace(path, consent_request=options.consent_request)
        timeline = fold(reading.events(), consent_at=options.consent_at, app_package=options.app_package)
    except ConsentgateError as error:  # a damaged file: its own located, bilingual error
        report = ManifestReport(path=target, app=None, errors=(error.text,))
        return TargetResult(target, report, folder, observed=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        summary = {"format": reading.format.value, "states_phase": reading.states_phase, **to_json(timeline)}
        (folder / TIMELINE_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
        inferred = infer_trace(
            timeline, source=path.name, declared=options.declared, app_name=options.app_package or path.name
        )
        report = conclude(target, inferred, options, many)
    except Exception as problem:  # inference, the audit or the disk broke: reported, and the batch goes on
        return TargetResult(target, crashed(target, problem), folder, observed=True, timeline=timeline)
    return TargetResult(target, report, folder, observed=True, timeline=timeline)


def to_json(timeline: Timeline) -> dict[str, Any]:
    """The timeline as plain JSON: what `timeline.json` keeps, so a report can be checked without the trace."""
    return {
        "events": timeline.events,
        "first_time": _iso(timeline.first_time),
        "last_time": _iso(timeline.last_time),
        "consent": _moment(timeline.consent),
        "refusals": [_moment(m) for m in timeline.refusals],
        "uses": [
            {
                "actor": actor_label(k.actor),
                "company": k.actor.company,
                "category": k.category,
                "via": k.via.value,
                "phase": str(k.phase),
                "after_refusal": k.after_refusal,
                **_tally(t),
            }
            for k, t in timeline.uses.items()
        ],
        "permissions": [
            {"actor": actor_label(k.actor), "permission": k.permission, "phase": str(k.phase), **_tally(t)}
            for k, t in timeline.asks.items()
        ],
        "setting_changes": [
            {"setting": k.permission, "found": k.state, "person_set": k.person_set, "by_person": k.by_person}
            | _tally(t)
            for k, t in timeline.changes.items()
        ],
        "histogram": {
            "width": timeline.histogram.width,
            "rows": {
                actor: [[b.before, b.after, b.unknown] for b in row]
                for actor, row in timeline.histogram.rows.items()
            },
        },
    }


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "count": tally.count,
        "first": _iso(tally.first),
        "last": _iso(tally.last),
        "rows": [row for row, _ in tally.examples],
        "peak_per_minute": tally.peak_per_minute,
    }


def _moment(moment: Moment | None) -> dict[str, Any] | None:
    if moment is None:
        return None
    return {
        "kind": moment.kind.value,
        "row": moment.where,
        "time": _iso(moment.time),
        "source": moment.source,
    }


def _iso(time: datetime | None) -> str | None:
    return time.isoformat() if time is not None else None
