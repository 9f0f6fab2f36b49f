"""The API mapping (`observe/data/android-apis.yaml`): what a sensitive call reads, and the permission it needs.

A trace names a call in one of three ways: the API itself (`android.telephony.TelephonyManager.getImei`, as Frida
scripts and JSON lines do, sometimes with an argument list or only `Class.method`), a content URI passed to
ContentResolver.query, or camille's own words (行为描述, then 操作行为). `reading` tries them in that order and
answers None for a name it has never seen: an unknown call is unknown, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class Reading:
    """What one kind of call reads. `category` None: known, and the call itself reads no personal data."""

    category: str | None
    permission: str | None = None


def _reading(raw: dict[str, Any] | None) -> Reading:
    raw = raw or {}
    return Reading(category=raw.get("category"), permission=raw.get("permission"))


def _readings(raw: dict[str, Any] | None) -> dict[str, Reading]:
    return {str(key): _reading(value) for key, value in (raw or {}).items()}


def _short_names(apis: dict[str, Reading]) -> dict[str, Reading]:
    """`TelephonyManager.getImei` → its reading, where the short name is unambiguous (same reading everywhere)."""
    short: dict[str, Reading | None] = {}
    for name, reading in apis.items():
        key = ".".join(name.rsplit(".", 2)[-2:])
        short[key] = reading if short.get(key, reading) == reading else None
    return {key: reading for key, reading in short.items() if reading is not None}


_CONTENT = "content://"


def _authority(text: str) -> str | None:
    start = text.find(_CONTENT)
    if start < 0:
        return None
    rest = text[start + len(_CONTENT) :]
    end = min((i for i in (rest.find("/"), rest.find(" "), rest.find("?")) if i >= 0), default=len(rest))
    return rest[:end] or None


def _before_colon(text: str) -> str:
    cut = min((i for i in (text.find("："), text.find(":")) if i >= 0), default=len(text))
    return text[:cut].strip()


@dataclass(frozen=True)
class ApiCatalog:
    """The mapping, by each way a trace can name a call."""

    apis: dict[str, Reading]
    short: dict[str, Reading]
    content_uris: dict[str, Reading]
    descriptions: dict[str, Reading]
    operations: dict[str, Reading]
    permissions: dict[str, str]

    def reading(self, operation: str, description: str = "") -> Reading | None:
        """What the call read: by API (full, then Class.method), content URI, camille's 行为描述, then 操作行为."""
        api = operation.strip()
        paren = api.find("(")
        name = api[:paren].strip() if paren >= 0 else api
        name = name.split(" ", 1)[0] if " " in name else name
        found = self.apis.get(name) or self.short.get(name)
        if found is not None:
            return found
        for text in (operation, description):
            authority = _authority(text)
            if authority is not None and authority in self.content_uris:
                return self.content_uris[authority]
        if description:
            found = self.descriptions.get(_before_colon(description))
            if found is not None:
                return found
        return self.operations.get(api)

    def permission(self, name: str | None) -> str | None:
        """The short name of `name` (android.permission.*, or already short); other names as the trace wrote them.

        One request may ask for several (camille's reader joins them with commas): each is named, once, in order.
        """
        if not name:
            return None
        names = (self.permissions.get(part.strip(), part.strip()) for part in name.split(","))
        return ",".join(dict.fromkeys(n for n in names if n)) or None


def build_api_catalog(raw: dict[str, Any]) -> ApiCatalog:
    """The catalog of a parsed android-apis.yaml."""
    apis = _readings(raw["apis"])
    camille = raw.get("camille") or {}
    return ApiCatalog(
        apis=apis,
        short=_short_names(apis),
        content_uris=_readings(raw.get("content_uris")),
        descriptions=_readings(camille.get("descriptions")),
        operations=_readings(camille.get("operations")),
        permissions={str(k): str(v) for k, v in (raw.get("permissions") or {}).items()},
    )


@cache
def api_catalog() -> ApiCatalog:
    """The packaged mapping, read once."""
    text = files("consentgate.observe").joinpath("data/android-apis.yaml").read_text("utf-8")
    return build_api_catalog(yaml.safe_load(text))
