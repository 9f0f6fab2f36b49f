"""HAR 1.2 (from a proxy such as mitmproxy or Charles, or a browser's devtools): one REQUEST event per
entry of `log.entries`, streamed with ijson so a multi-gigabyte capture is never held in memory.

Only names leave the file: the URL keeps its query parameter names, `sent` lists parameter, body
field, cookie and header names; values and bodies are dropped as soon as they are read. The request
that records the person's agreement (matched by the tester's pattern) is also the consent moment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import ijson

from consentgate.errors import UsageError
from consentgate.observe.sent_data import sent_names
from consentgate.observe.traces.model import EventKind, TraceEvent
from consentgate.observe.traces.sniff import skip_bom
from consentgate.observe.traces.urls import url_facts


@dataclass(frozen=True)
class HarSource:
    path: Path
    consent_request: re.Pattern[str] | None = None
    states_phase: bool = False  # a HAR never says whether consent had been given

    def events(self) -> Iterator[TraceEvent]:
        consented = self.consent_request is None
        with self.path.open("rb") as f:
            skip_bom(f)
            entries = ijson.items(f, "log.entries.item", use_float=True)
            index = 0
            while True:
                index += 1
                try:
                    entry = next(entries, None)
                except ijson.JSONError as e:
                    raise UsageError.from_key(
                        "trace.har_corrupt", path=self.path, entry=index, problem=e
                    ) from None
                if entry is None:
                    return
                event, raw_url = _request(self.path, index, entry)
                yield event
                if (
                    not consented
                    and self.consent_request is not None
                    and self.consent_request.search(raw_url)
                ):
                    consented = True
                    yield TraceEvent(
                        where=index,
                        kind=EventKind.CONSENT,
                        time=event.time,
                        url=event.url,
                        host=event.host,
                        method=event.method,
                        operation=event.operation,
                    )


def _request(path: Path, index: int, entry: Any) -> tuple[TraceEvent, str]:
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        raise UsageError.from_key("trace.har_entry", path=path, entry=index, field="request")
    url, method = request.get("url"), request.get("method")
    if not isinstance(url, str) or not url:
        raise UsageError.from_key("trace.har_entry", path=path, entry=index, field="request.url")
    if not isinstance(method, str) or not method:
        raise UsageError.from_key("trace.har_entry", path=path, entry=index, field="request.method")
    started = entry.get("startedDateTime")
    if not isinstance(started, str):
        raise UsageError.from_key("trace.har_entry", path=path, entry=index, field="startedDateTime")
    try:
        time = datetime.fromisoformat(started)
    except ValueError:
        raise UsageError.from_key("trace.har_time", path=path, entry=index, value=started[:60]) from None
    redacted, host, _ = url_facts(url)
    event = TraceEvent(
        where=index,
        kind=EventKind.REQUEST,
        time=time,
        operation=f"{method} {redacted}",
        url=redacted,
        host=host,
        method=method,
        sent=_sent(url, request),
    )
    return event, url


def _sent(url: str, request: dict[str, Any]) -> tuple[str, ...]:
    headers = {
        h["name"]: str(h.get("value", ""))
        for h in _list(request.get("headers"))
        if isinstance(h, dict) and isinstance(h.get("name"), str)
    }
    post = request.get("postData")
    body: str | None = None
    extra: list[str] = []
    if isinstance(post, dict):
        text = post.get("text")
        body = text if isinstance(text, str) else None
        if post.get("mimeType") and "content-type" not in {k.casefold() for k in headers}:
            headers["content-type"] = str(post["mimeType"])
        extra += [
            p["name"]
            for p in _list(post.get("params"))
            if isinstance(p, dict) and isinstance(p.get("name"), str)
        ]
    extra += [
        q["name"]
        for q in _list(request.get("queryString"))
        if isinstance(q, dict) and isinstance(q.get("name"), str)
    ]
    extra += [
        c["name"]
        for c in _list(request.get("cookies"))
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    ]
    return tuple(dict.fromkeys((*sent_names(url=url, headers=headers, body=body), *extra)))


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
