"""When each instrument of the catalog was in force, read from `data/in-force.yaml` and checked there.

A finding about conduct in 2020 must not cite a law of 2021: every catalog entry carries the window
of its instrument. The windows are data, and every date in them is checked, when the catalog
loads, against the reference field it says it was copied from: a date that is not in that field
is a typo or a memory, and the catalog refuses to load rather than date the law wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from consentgate.i18n import message
from consentgate.law.models import InForce, Window
from consentgate.text import Text

Raw = Mapping[str, Any]
_SELECT = re.compile(r"^(\w+)\[(\w+)=(.+)\]$")


class _Dated(BaseModel):
    """One entry of in-force.yaml, as written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    start_field: str
    end: date | None = None
    end_field: str | None = None
    verified: bool
    draft: bool = False
    note: str | None = None


def _field(read: Callable[[str], Raw], where: str) -> str:
    """`'pre-pipl-laws.yaml: laws[law_id=GPCL-2017].effective'` → that field's text."""
    file, _, path = (part.strip() for part in where.partition(":"))
    node: Any = read(file)
    for segment in path.split("."):
        selected = _SELECT.match(segment)
        if selected:
            name, key, value = selected.groups()
            node = next(item for item in node[name] if str(item.get(key)) == value)
        else:
            node = node[segment]
    return str(node)


def _checked(read: Callable[[str], Raw], key: str, day: date, where: str) -> str:
    found = _field(read, where)
    if day.isoformat() not in found:
        raise ValueError(f"in-force.yaml: {key} gives {day}, but {where} says {found!r}")
    return f"{where}: {found!r}"


def _in_force(read: Callable[[str], Raw], key: str, dated: _Dated) -> InForce:
    if (dated.end is None) != (dated.end_field is None):
        raise ValueError(f"in-force.yaml: {key} needs both `end` and `end_field`, or neither")
    read_from = [_checked(read, key, dated.start, dated.start_field)]
    if dated.end is not None and dated.end_field is not None:
        read_from.append(_checked(read, key, dated.end, dated.end_field))
    source = "; ".join([*read_from, *([dated.note] if dated.note else [])])
    return InForce(
        window=Window(start=dated.start, end=dated.end),
        source=source,
        verified=dated.verified,
        draft=dated.draft,
    )


def load_windows(read: Callable[[str], Raw]) -> dict[str, InForce]:
    """Every window of in-force.yaml by key, each date checked against the reference it names."""
    raw = read("in-force.yaml")
    return {str(key): _in_force(read, str(key), _Dated.model_validate(value)) for key, value in raw.items()}


def window_text(in_force: InForce | Window) -> Text:
    """`施行：2021-11-01 起` / `in force 2021-11-01 –`, with a draft or an unverified date said in words."""
    window = in_force.window if isinstance(in_force, InForce) else in_force
    last = window.last_day
    if isinstance(in_force, InForce) and in_force.draft:
        text = message("law.window.draft", start=window.start.isoformat())
    elif last is None:
        text = message("law.window.open", start=window.start.isoformat())
    else:
        text = message("law.window.closed", start=window.start.isoformat(), last=last.isoformat())
    if isinstance(in_force, InForce) and not in_force.verified:
        note = message("law.window.unverified")
        text = Text(zh=f"{text.zh}（{note.zh}）", en=f"{text.en} ({note.en})")
    return text


def window_span(window: Window) -> Text:
    """The dates alone, for a column already headed "in force": `2021-11-01 –`, `2017-06-01 – 2021-10-31`."""
    last = window.last_day
    if last is None:
        return message("law.window.span_open", start=window.start.isoformat())
    return message("law.window.span_closed", start=window.start.isoformat(), last=last.isoformat())
