"""consentgate's neutral trace format: one JSON object per line (docs/observe.md, "Trace files").

Parsed with orjson and plain checks, never a pydantic model per line: a million-line trace must stream
at hundreds of thousands of events a second. `LINE_SCHEMA` is the same contract as a JSON Schema, for
the tools that write these files; the test suite holds the two together.

One bad line ends the read with a located error: a trace with a hole in it could silently hide the
very events before consent that the rules look for, so no line is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from consentgate.errors import SourceLocation, UsageError
from consentgate.observe.sent_data import redact_url
from consentgate.observe.traces.model import EventKind, Stated, TraceEvent
from consentgate.text import Text

_KINDS = {kind.value: kind for kind in EventKind}
_PHASES = {stated.value: stated for stated in Stated}
_NEEDS: dict[EventKind, str] = {
    EventKind.API: "api",
    EventKind.REQUEST: "url",
    EventKind.PERMISSION: "permission",
    EventKind.PERMISSION_STATE: "permission",
}
_PHASE_PROBE_LINES = 1000  # lines looked at to decide whether the file states phases
_STRINGS = Text(zh="字符串列表", en="a list of strings")
_STRING = Text(zh="字符串", en="a string")
_BOOL = Text(zh="true 或 false", en="true or false")

LINE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://consentgate.dev/schema/trace-line.json",
    "title": "consentgate trace line",
    "description": "One event of a runtime trace; a trace file holds one such object per line.",
    "type": "object",
    "required": ["time", "kind"],
    "properties": {
        "time": {"type": "string", "description": "ISO 8601; every line of a file with an offset, or none"},
        "kind": {"enum": list(_KINDS)},
        "actor": {"type": "string", "description": "'app' (or 'APP本身'), or the SDK's name or package"},
        "api": {"type": "string", "description": "class.method of the call (kind api)"},
        "url": {
            "type": "string",
            "description": "the request's URL (kind request); query values are dropped",
        },
        "method": {"type": "string"},
        "data": {
            "type": "array",
            "items": {"type": "string"},
            "description": "names of what was read or sent",
        },
        "stack": {"type": "array", "items": {"type": "string"}, "description": "frames, innermost first"},
        "phase": {"enum": list(_PHASES)},
        "permission": {"type": "string", "description": "android.permission.* or a short name"},
        "state": {"type": "string", "description": "granted or denied (kind permission-state)"},
        "by_person": {"type": "boolean", "description": "the person changed the permission themselves"},
        "description": {"type": "string"},
    },
    "allOf": [
        {"if": {"properties": {"kind": {"const": kind.value}}}, "then": {"required": [field]}}
        for kind, field in _NEEDS.items()
    ],
}


@dataclass(frozen=True)
class JsonlSource:
    path: Path
    states_phase: bool

    def events(self) -> Iterator[TraceEvent]:
        naive: bool | None = None  # all times with an offset, or all without: they must compare
        with self.path.open("rb") as f:
            for line_no, raw in enumerate(f, 1):
                if raw.isspace():
                    continue
                event = _event(self.path, line_no, raw)
                if event.time is not None:
                    if naive is None:
                        naive = event.time.tzinfo is None
                    elif naive != (event.time.tzinfo is None):
                        raise _error(self.path, line_no, "trace.jsonl_tz")
                yield event


def open_source(path: Path) -> JsonlSource:
    """The file states phases when any of its first lines carries a `phase` (a cheap look, no parse)."""
    with path.open("rb") as f:
        stated = any(b'"phase"' in line for line in islice(f, _PHASE_PROBE_LINES))
    return JsonlSource(path, states_phase=stated)


def _error(path: Path, line: int, key: str, **values: object) -> UsageError:
    return UsageError.from_key(
        key, location=SourceLocation(str(path), line, 1), path=path, line=line, **values
    )


def _event(path: Path, line_no: int, raw: bytes) -> TraceEvent:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise _error(path, line_no, "trace.jsonl_json", problem=e) from None
    if not isinstance(obj, dict):
        raise _error(path, line_no, "trace.jsonl_json", problem=type(obj).__name__)
    raw_kind = obj.get("kind")
    kind = _KINDS.get(raw_kind) if isinstance(raw_kind, str) else None
    if kind is None:
        raise _error(
            path, line_no, "trace.jsonl_kind", kinds=", ".join(_KINDS), value=_shown(obj.get("kind"))
        )
    time = _time(path, line_no, obj.get("time"))
    need = _NEEDS.get(kind)
    if need is not None and not obj.get(need):
        raise _error(path, line_no, "trace.jsonl_field", kind=kind.value, field=need)
    phase = obj.get("phase")
    stated = _PHASES.get(phase) if isinstance(phase, str) else None
    if phase is not None and stated is None:
        raise _error(path, line_no, "trace.jsonl_phase", value=_shown(phase))
    text = _texts(path, line_no, obj)
    url, host, method, sent = None, None, None, _names(path, line_no, obj, "data")
    if kind is EventKind.REQUEST:
        url, host = redact_url(text["url"]), urlsplit(text["url"]).hostname
        method = text["method"] or None
        sent = _merged(sent, tuple(name for name, _ in parse_qsl(urlsplit(text["url"]).query)))
    by_person = obj.get("by_person")
    if by_person is not None and not isinstance(by_person, bool):
        raise _error(path, line_no, "trace.jsonl_type", field="by_person", expected=_BOOL)
    return TraceEvent(
        where=line_no,
        kind=kind,
        time=time,
        actor=text["actor"] or None,
        operation=text["api"] if kind is not EventKind.REQUEST else f"{method or 'GET'} {url}",
        description=text["description"],
        stack=_names(path, line_no, obj, "stack"),
        stated=stated,
        url=url,
        host=host,
        method=method,
        sent=sent,
        permission=text["permission"] or None,
        state=text["state"] or None,
        by_person=by_person,
    )


_TEXT_FIELDS = ("actor", "api", "url", "method", "permission", "state", "description")


def _texts(path: Path, line_no: int, obj: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = obj.get(name)
        if value is None:
            out[name] = ""
        elif isinstance(value, str):
            out[name] = value
        else:
            raise _error(path, line_no, "trace.jsonl_type", field=name, expected=_STRING)
    return out


def _names(path: Path, line_no: int, obj: dict[str, object], name: str) -> tuple[str, ...]:
    value = obj.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _error(path, line_no, "trace.jsonl_type", field=name, expected=_STRINGS)
    return tuple(value)


def _merged(first: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(name for name in dict.fromkeys(more) if name not in first)


def _time(path: Path, line_no: int, value: object) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise _error(path, line_no, "trace.jsonl_time", value=_shown(value))


def _shown(value: object) -> str:
    """A bad value quoted in an error, cut short: it may be long, and it is the user's own file."""
    text = orjson.dumps(value).decode()
    return text if len(text) <= 60 else text[:57] + "..."
