"""Writes trace fixtures in each format the readers take, as their real producers write them.

`write_camille` follows camille's own `write_xlsx` (utlis/__init__.py at zhengjim/camille@83c5b23:
xlwt, sheet App_privacy_compliance_testing, bold centred header in row 0, wrapped text cells), and its
two older layouts (4a232fe, 7a0ac04) that lacked the status and actor columns. Times and stacks are
formatted as camille's script.js does: months from 0 (`getMonth()`), nothing padded, frames as three
spaces and CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import orjson
import xlwt

Layout = Literal["2022-11", "2022-06", "2021-10"]

_HEADERS: dict[Layout, tuple[tuple[str, str], ...]] = {
    # (header, CamilleRow attribute) in camille's column order for each export generation
    "2022-11": (
        ("隐私政策状态", "privacy_policy_status"),
        ("时间点", "alert_time"),
        ("行为主体", "subject_type"),
        ("操作行为", "action"),
        ("行为描述", "messages"),
        ("传入参数", "arg"),
        ("调用堆栈", "stacks"),
    ),
    "2022-06": (
        ("时间点", "alert_time"),
        ("操作行为", "action"),
        ("行为描述", "messages"),
        ("传入参数", "arg"),
        ("调用堆栈", "stacks"),
    ),
    "2021-10": (
        ("时间点", "alert_time"),
        ("操作行为", "action"),
        ("行为描述", "messages"),
        ("调用堆栈", "stacks"),
    ),
}


def camille_time(moment: datetime) -> str:
    """script.js get_format_time: `getMonth()` counts from 0 and nothing is zero-padded."""
    return f"{moment.year}-{moment.month - 1}-{moment.day} {moment.hour}:{moment.minute}:{moment.second}"


def camille_stack(frames: Sequence[str]) -> str:
    """script.js getStackTrace: each frame as '   ' + frame + CRLF, the hooked method first."""
    return "".join(f"   {frame}\r\n" for frame in frames)


@dataclass(frozen=True)
class CamilleRow:
    """One of camille's `execl_data` dicts, under its own key names."""

    alert_time: str | datetime  # camille writes text; a datetime stands for a workbook re-saved as dates
    action: str
    messages: str
    stacks: str
    arg: str = "无参数"
    subject_type: str = "APP本身"
    privacy_policy_status: str = "同意隐私政策前"


def write_camille(path: Path, rows: Iterable[CamilleRow], *, layout: Layout = "2022-11") -> Path:
    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet("App_privacy_compliance_testing")
    title_style = xlwt.XFStyle()
    title_font = xlwt.Font()
    title_font.bold = True
    title_font.height = 30 * 11
    title_style.font = title_font
    alignment = xlwt.Alignment()
    alignment.horz = xlwt.Alignment.HORZ_CENTER
    alignment.vert = xlwt.Alignment.VERT_CENTER
    title_style.alignment = alignment
    columns = _HEADERS[layout]
    for at, (title, _) in enumerate(columns):
        worksheet.write(0, at, title, title_style)
        worksheet.col(at).width = 20 * 300
    content_style = xlwt.XFStyle()
    content_font = xlwt.Font()
    content_font.height = 20 * 11
    content_style.font = content_font
    content_style.alignment = alignment
    content_style.alignment.wrap = 1
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for i, row in enumerate(rows):
        for at, (_, attribute) in enumerate(columns):
            value = getattr(row, attribute)
            worksheet.write(i + 1, at, value, date_style if isinstance(value, datetime) else content_style)
    workbook.save(str(path))
    return path


def write_other_workbook(path: Path) -> Path:
    """An .xls that is no camille export: another sheet name, other columns."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    sheet.write(0, 0, "name")
    sheet.write(1, 0, "value")
    workbook.save(str(path))
    return path


@dataclass(frozen=True)
class HarRequest:
    started: str
    url: str
    method: str = "GET"
    headers: Sequence[tuple[str, str]] = ()
    cookies: Sequence[tuple[str, str]] = ()
    body: str | None = None
    mime: str = "application/json"
    params: Sequence[tuple[str, str]] = field(default=())


def har_document(requests: Iterable[HarRequest]) -> dict[str, object]:
    """A HAR 1.2 log as browsers and proxies write it: creator and pages first, then the entries."""
    entries = []
    for r in requests:
        request: dict[str, object] = {
            "method": r.method,
            "url": r.url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": n, "value": v} for n, v in r.headers],
            "queryString": [],
            "cookies": [{"name": n, "value": v} for n, v in r.cookies],
            "headersSize": -1,
            "bodySize": len(r.body or ""),
        }
        if r.body is not None or r.params:
            post: dict[str, object] = {"mimeType": r.mime, "text": r.body or ""}
            if r.params:
                post["params"] = [{"name": n, "value": v} for n, v in r.params]
            request["postData"] = post
        entries.append(
            {
                "pageref": "page_1",
                "startedDateTime": r.started,
                "time": 12.5,
                "request": request,
                "response": {
                    "status": 204,
                    "statusText": "No Content",
                    "httpVersion": "HTTP/1.1",
                    "headers": [],
                    "cookies": [],
                    "content": {"size": 0, "mimeType": "x-unknown"},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "cache": {},
                "timings": {"send": 0.1, "wait": 10.0, "receive": 2.4},
            }
        )
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "mitmproxy har_dump", "version": "10.1"},
            "pages": [
                {
                    "startedDateTime": "2026-03-01T10:00:00.000+08:00",
                    "id": "page_1",
                    "title": "app",
                    "pageTimings": {},
                }
            ],
            "entries": entries,
        }
    }


def write_har(path: Path, requests: Iterable[HarRequest]) -> Path:
    path.write_bytes(orjson.dumps(har_document(requests), option=orjson.OPT_INDENT_2))
    return path


def write_jsonl(path: Path, lines: Iterable[dict[str, object]]) -> Path:
    with path.open("wb") as f:
        for line in lines:
            f.write(orjson.dumps(line) + b"\n")
    return path
