"""camille's export (github.com/zhengjim/camille): the .xls workbook its `-f` option writes.

Matched against camille at commit 83c5b23912db83d00ac0a615c89d905daa9772b5 (2023-05-06):
`utlis/__init__.py` `write_xlsx` (xlwt, sheet App_privacy_compliance_testing, header in row 0:
隐私政策状态 | 时间点 | 行为主体 | 操作行为 | 行为描述 | 传入参数 | 调用堆栈, one text cell per value),
`camille.py` (status "同意隐私政策" + 前/后; 行为主体 from `utlis/third_party_sdk.py`: 'APP本身' or
the SDK's name) and `script.js` (`get_format_time`: unpadded `Y-M-D H:M:S` with JavaScript's
`getMonth()`, so months count from 0; `getStackTrace`: each frame as three spaces, the frame, CRLF,
the hooked method first). Older exports: 2021-10-28 (4a232fe) wrote 时间点 | 操作行为 | 行为描述 |
调用堆栈, 2022-06-23 (7a0ac04) added 传入参数; the status and actor columns came on 2022-11-03
(08dc82a). Columns are therefore found by their header, never by position.

What is not kept: 传入参数 (the values a call was passed may be the person's data), except the
`android.permission.*` names a permission request asked for; and in 行为描述 the data camille appends
after 获取的数据为： (the installed apps it saw, for instance).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import xlrd
from xlrd.sheet import Sheet

from consentgate.errors import UsageError
from consentgate.observe.traces.model import EventKind, Stated, TraceEvent
from consentgate.observe.traces.sniff import CAMILLE_SHEET

STATUS = "隐私政策状态"
TIME = "时间点"
ACTOR = "行为主体"
ACTION = "操作行为"
DESCRIPTION = "行为描述"
ARGS = "传入参数"
STACK = "调用堆栈"
_REQUIRED = (TIME, ACTION)
_STATES = {"同意隐私政策前": Stated.BEFORE, "同意隐私政策后": Stated.AFTER}
_PERMISSION_ACTION = "申请权限"
_DATA_MARK = "获取的数据为："
_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2})\s*$")
_PERMISSION_NAME = re.compile(r"android\.permission\.[A-Z0-9_]+")


def parse_time(text: str) -> datetime | None:
    """A time as camille writes it (`2023-4-6 9:5:3` is 6 May: months from 0), device-local and naive.

    Public so a `--consent-at` the tester copied out of the same workbook is read the same way."""
    match = _TIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        return datetime(year, month + 1, day, hour, minute, second)
    except ValueError:
        return None


@dataclass(frozen=True)
class CamilleSource:
    path: Path
    sheet: Sheet
    datemode: Literal[0, 1]
    columns: dict[str, int]

    @property
    def states_phase(self) -> bool:
        return STATUS in self.columns

    def events(self) -> Iterator[TraceEvent]:
        for row in range(1, self.sheet.nrows):
            cells: Sequence[object] = self.sheet.row_values(row)
            if not any(str(cell).strip() for cell in cells):
                continue
            yield self._event(row + 1, cells)

    def _cell(self, cells: Sequence[object], name: str) -> str:
        at = self.columns.get(name)
        if at is None or at >= len(cells):
            return ""
        return str(cells[at]).strip()

    def _event(self, row: int, cells: Sequence[object]) -> TraceEvent:
        action = self._cell(cells, ACTION)
        stack = tuple(frame.strip() for frame in self._cell(cells, STACK).splitlines() if frame.strip())
        status = self._cell(cells, STATUS)
        stated = _STATES.get(status) if status else None
        if status and stated is None:
            raise UsageError.from_key("trace.camille_status", path=self.path, row=row, value=status[:60])
        is_permission = action == _PERMISSION_ACTION
        permissions = _PERMISSION_NAME.findall(self._cell(cells, ARGS)) if is_permission else []
        return TraceEvent(
            where=row,
            kind=EventKind.PERMISSION if is_permission else EventKind.API,
            time=self._time(row, cells),
            actor=self._cell(cells, ACTOR) or None,
            operation=_api(stack) or action,
            description=self._cell(cells, DESCRIPTION).split(_DATA_MARK, 1)[0],
            stack=stack,
            stated=stated,
            permission=",".join(dict.fromkeys(permissions)) or None,
        )

    def _time(self, row: int, cells: Sequence[object]) -> datetime | None:
        at = self.columns[TIME]
        value = cells[at] if at < len(cells) else ""
        if isinstance(value, float):  # re-saved by a spreadsheet program, which turned the text into a date
            try:
                return xlrd.xldate_as_datetime(value, self.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                pass
        elif not str(value).strip():
            return None
        else:
            parsed = parse_time(str(value))
            if parsed is not None:
                return parsed
        raise UsageError.from_key("trace.camille_time", path=self.path, row=row, value=str(value)[:60])


def _api(stack: tuple[str, ...]) -> str:
    """The hooked method, camille's first frame: `android.telephony.TelephonyManager.getDeviceId`."""
    return stack[0].split("(", 1)[0].strip() if stack else ""


def open_source(path: Path) -> CamilleSource:
    """Opens the workbook and maps its header; xlrd holds an .xls whole (at most 65,536 rows)."""
    try:
        book = xlrd.open_workbook(str(path))
    except Exception as e:  # xlrd raises many kinds (XLRDError, CompDocError, struct.error...) on damage
        raise UsageError.from_key(
            "trace.xls_corrupt", path=path, problem=f"{type(e).__name__}: {e}"[:200]
        ) from None
    if CAMILLE_SHEET not in book.sheet_names():
        raise UsageError.from_key("trace.not_a_trace", path=path)
    sheet = book.sheet_by_name(CAMILLE_SHEET)
    header = [str(cell).strip() for cell in sheet.row_values(0)] if sheet.nrows else []
    columns = {name: at for at, name in enumerate(header) if name}
    if not all(name in columns for name in _REQUIRED):
        raise UsageError.from_key("trace.camille_header", path=path, found=" | ".join(header)[:200] or "—")
    return CamilleSource(path=path, sheet=sheet, datemode=book.datemode, columns=columns)
