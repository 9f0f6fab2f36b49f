"""Open a runtime trace, whatever wrote it, and stream its events in file order.

The one entry point the timeline uses: it never knows which format spoke. The format is found from the
content (`sniff`), so a HAR saved as `.txt` or a camille export renamed `.bin` still reads, and a
file that is no trace is refused up front with a clear error rather than read as an empty trace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from consentgate.errors import UsageError
from consentgate.observe.traces import camille, har, jsonl
from consentgate.observe.traces.model import TraceEvent, TraceFormat
from consentgate.observe.traces.sniff import OLE2_MAGIC, sniff

__all__ = ["TraceReading", "open_trace", "sniff"]


class _Source(Protocol):
    def events(self) -> Iterator[TraceEvent]: ...


@dataclass(frozen=True)
class TraceReading:
    """An opened trace: what it is, whether it states each event's phase, and its events on demand."""

    path: Path
    format: TraceFormat
    # True when the file itself says, event by event, whether consent had been given (camille's
    # 隐私政策状态 column, JSON lines with `phase`); otherwise the consent moment must come from a
    # consent event or from the tester (--consent-at).
    states_phase: bool
    _source: _Source = field(repr=False, compare=False)

    def events(self) -> Iterator[TraceEvent]:
        """Streams the events in file order; raises UsageError (file and row/entry/line) on bad content."""
        try:
            yield from self._source.events()
        except OSError as e:  # gone or unreadable since it was opened
            raise UsageError.from_key("trace.unreadable", path=self.path, problem=e.strerror or e) from None


def open_trace(path: Path, *, consent_request: str | None = None) -> TraceReading:
    """The trace at `path`, its format found by content. `consent_request` (a regex) marks, in a HAR,
    the request that records the person's agreement: the first entry whose URL it matches is also the
    consent moment."""
    pattern = _compile(consent_request)
    try:
        found = sniff(path)
        if found is None:
            with path.open("rb") as f:
                if f.read(len(OLE2_MAGIC)) == OLE2_MAGIC:
                    # An OLE2 file whose workbook cannot be opened: most likely a camille export cut short.
                    camille.open_source(path)
            raise UsageError.from_key("trace.not_a_trace", path=path)
    except OSError as e:
        raise UsageError.from_key("trace.unreadable", path=path, problem=e.strerror or e) from None
    source: camille.CamilleSource | har.HarSource | jsonl.JsonlSource
    if found is TraceFormat.CAMILLE:
        source = camille.open_source(path)
    elif found is TraceFormat.HAR:
        source = har.HarSource(path, consent_request=pattern)
    else:
        source = jsonl.open_source(path)
    return TraceReading(path=path, format=found, states_phase=source.states_phase, _source=source)


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as e:
        raise UsageError.from_key("trace.consent_regex", pattern=pattern, problem=e) from None
