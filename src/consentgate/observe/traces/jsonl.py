"""consentgate's neutral trace format: one JSON object per line (docs/observe.md, "Trace files").

A million-line trace must stream at hundreds of thousands of events a second, so there is no pydantic
model per line: msgspec decodes and type-checks a line in C into `TraceLine`. Only a line it refuses
takes the slow path (orjson and plain checks), which names what is wrong, in both languages, or reads a
time in a form msgspec does not take (any ISO 8601 `datetime.fromisoformat` reads). `LINE_SCHEMA` is the
same contract as a JSON Schema, for the tools that write these files; a test holds the two together.

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

import msgspec
import orjson

from consentgate.errors import SourceLocation, UsageError
from consentgate.observe.traces.model import EventKind, Stated, TraceEvent
from consentgate.observe.traces.sniff import skip_bom
from consentgate.observe.traces.urls import url_facts
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


class TraceLine(msgspec.Struct, frozen=True, gc=False):
    """One line as written; `_event` turns it into the `TraceEvent` every reader yields."""

    time: datetime
    kind: EventKind
    actor: str | None = None
    api: str | None = None
    url: str | None = None
    method: str | None = None
    data: tuple[str, ...] = ()
    stack: tuple[str, ...] = ()
    phase: Stated | None = None
    permission: str | None = None
    state: str | None = None
    by_person: bool | None = None
    description: str | None = None


_DECODER = msgspec.json.Decoder(TraceLine)


@dataclass(frozen=True)
class JsonlSource:
    path: Path
    states_phase: bool

    def events(self) -> Iterator[TraceEvent]:
        naive: bool | None = None  # all times with an offset, or all without: they must compare
        with self.path.open("rb") as f:
            skip_bom(f)
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
        line = _DECODER.decode(raw)
    except msgspec.MsgspecError:
        line = _checked(path, line_no, raw)
    need = _NEEDS.get(line.kind)
    if need is not None and not getattr(line, need):
        raise _error(path, line_no, "trace.jsonl_field", kind=line.kind.value, field=need)
    url = host = None
    sent = line.data
    operation = line.api or ""
    if line.kind is EventKind.REQUEST and line.url:
        url, host, names = url_facts(line.url)
        operation = f"{line.method or 'GET'} {url}"
        if names:
            sent = sent + tuple(name for name in names if name not in sent)
    return TraceEvent(
        where=line_no,
        kind=line.kind,
        time=line.time,
        actor=line.actor or None,
        operation=operation,
        description=line.description or "",
        stack=line.stack,
        stated=line.phase,
        url=url,
        host=host,
        method=line.method or None if url else None,
        sent=sent,
        permission=line.permission or None,
        state=line.state or None,
        by_person=line.by_person,
    )


def _checked(path: Path, line_no: int, raw: bytes) -> TraceLine:
    """The slow path for a line msgspec refused: the located error that says why, or the line itself
    when only its time was in an ISO 8601 form msgspec does not read."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise _error(path, line_no, "trace.jsonl_json", problem=e) from None
    if type(obj) is not dict:
        raise _error(path, line_no, "trace.jsonl_json", problem=type(obj).__name__)
    raw_kind = obj.get("kind")
    kind = _KINDS.get(raw_kind) if type(raw_kind) is str else None
    if kind is None:
        raise _error(path, line_no, "trace.jsonl_kind", kinds=", ".join(_KINDS), value=_shown(raw_kind))
    time = _time(path, line_no, obj.get("time"))
    for name in sorted(obj.keys() & _TEXT_FIELDS):
        if type(obj[name]) is not str and obj[name] is not None:
            raise _error(path, line_no, "trace.jsonl_type", field=name, expected=_STRING)
    phase = obj.get("phase")
    if phase is not None and (type(phase) is not str or phase not in _PHASES):
        raise _error(path, line_no, "trace.jsonl_phase", value=_shown(phase))
    by_person = obj.get("by_person")
    if by_person is not None and type(by_person) is not bool:
        raise _error(path, line_no, "trace.jsonl_type", field="by_person", expected=_BOOL)
    fields = {name: obj.get(name) for name in _TEXT_FIELDS}
    return TraceLine(
        time=time,
        kind=kind,
        data=_names(path, line_no, obj, "data"),
        stack=_names(path, line_no, obj, "stack"),
        phase=_PHASES[phase] if phase is not None else None,
        by_person=by_person,
        **fields,
    )


_TEXT_FIELDS = frozenset({"actor", "api", "url", "method", "permission", "state", "description"})
_STR_ONLY = frozenset({str})


def _names(path: Path, line_no: int, obj: dict[str, object], name: str) -> tuple[str, ...]:
    value = obj.get(name)
    if value is None:
        return ()
    if type(value) is not list or not _STR_ONLY.issuperset(map(type, value)):
        raise _error(path, line_no, "trace.jsonl_type", field=name, expected=_STRINGS)
    return tuple(value)


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
