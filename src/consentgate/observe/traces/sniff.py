"""Which trace format a file holds, from its content: extensions lie (a HAR saved as .txt, an export
renamed by a tester), and a wrong guess would read a trace as empty, which looks like a clean app.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import ijson
import orjson
import xlrd

from consentgate.observe.traces.model import TraceFormat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-document header every .xls starts with
CAMILLE_SHEET = "App_privacy_compliance_testing"  # the sheet name every camille version writes
_HAR_PROBE_EVENTS = 1_000_000  # parser events to look through for log.entries (creator, pages come first)
_BOM = b"\xef\xbb\xbf"
_LINE_PROBE_BYTES = 1 << 20  # a JSON line longer than 1 MiB is not a trace event


def sniff(path: Path) -> TraceFormat | None:
    """The format of the trace at `path`; None when it is none of them (or an .xls too damaged to open)."""
    with path.open("rb") as f:
        head = f.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        return TraceFormat.CAMILLE if _has_camille_sheet(path) else None
    if _is_har(path):
        return TraceFormat.HAR
    if _is_json_lines(path):
        return TraceFormat.JSONL
    return None


def _has_camille_sheet(path: Path) -> bool:
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception:  # xlrd raises many kinds on damaged files; open_trace reports them with detail
        return False
    try:
        return CAMILLE_SHEET in book.sheet_names()
    finally:
        book.release_resources()


def _is_har(path: Path) -> bool:
    """A JSON object with `log.entries` an array, found by streaming, so a 2 GB HAR is not loaded."""
    with path.open("rb") as f:
        skip_bom(f)
        if not f.read(64).lstrip(b" \t\r\n").startswith(b"{"):
            return False
        f.seek(0)
        skip_bom(f)
        try:
            for n, (prefix, event, _) in enumerate(ijson.parse(f)):
                if prefix == "log.entries" and event == "start_array":
                    return True
                if n > _HAR_PROBE_EVENTS or (prefix == "" and event == "end_map"):
                    return False
        except ijson.JSONError:
            return False
    return False


def skip_bom(f: BinaryIO) -> None:
    """Past a UTF-8 byte-order mark, which Windows tools write and JSON parsers refuse."""
    if f.read(len(_BOM)) != _BOM:
        f.seek(0)


def _is_json_lines(path: Path) -> bool:
    """The first non-blank line is a JSON object with a `kind` and a `time`: one event per line."""
    with path.open("rb") as f:
        for raw in iter(lambda: f.readline(_LINE_PROBE_BYTES), b""):
            line = raw.strip()
            if not line:
                continue
            try:
                first = orjson.loads(line.removeprefix(_BOM))
            except orjson.JSONDecodeError:
                return False
            return isinstance(first, dict) and "kind" in first and "time" in first
    return False
