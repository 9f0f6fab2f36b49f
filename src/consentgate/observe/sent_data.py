"""What personal data leaves in one request: where it was found and under what name, never the value.

Two kinds of evidence: the persona's own values (the walker typed them, so finding them proves they
were sent; URL-encoded and JSON-escaped forms count) and shapes that are personal data whoever typed
them (an IMEI, an Android-ID-like or advertising-ID-like value, precise coordinates).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit, urlunsplit

from consentgate.observe.model import SentData, Where
from consentgate.observe.persona import DEFAULT_PERSONA, Persona

_IMEI = re.compile(r"^\d{15}$")
_ANDROID_ID = re.compile(r"^[0-9a-f]{16}$")
_AD_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_COORD = re.compile(r"^-?\d{1,3}\.\d{4,}$")
_DEVICE_KEYS = (
    "imei",
    "androidid",
    "android_id",
    "idfa",
    "oaid",
    "gaid",
    "adid",
    "deviceid",
    "device_id",
    "udid",
)
_LOCATION_KEYS = ("lat", "lng", "lon", "latitude", "longitude", "coords", "location", "geo")
_SKIPPED_HEADERS = frozenset({"host", "content-length", "accept", "accept-encoding", "connection"})


def redact_url(url: str) -> str:
    """The URL with each query value dropped, its parameter names kept: `?phone&ref`."""
    parts = urlsplit(url)
    if not parts.query:
        return urlunsplit(parts._replace(fragment=""))
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query="&".join(quote(n) for n in names), fragment=""))


_URL_IN_TEXT = re.compile(r"https?://[^\s)）\]\"'<>]+")


def redact_text(text: str) -> str:
    """`text` (an error message, a detail) with every URL in it redacted as `redact_url` does."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


def _forms(value: str) -> tuple[str, ...]:
    return (value, quote(value), quote_plus(value), json.dumps(value)[1:-1])


def _flatten(data: object, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, inner in data.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for inner in data:
            yield from _flatten(inner, prefix)
    elif data is not None:
        yield prefix, str(data)


def _pairs(body: str | None, content_type: str) -> list[tuple[str, str]]:
    if not body:
        return []
    if "json" in content_type or body.lstrip().startswith(("{", "[")):
        try:
            return list(_flatten(json.loads(body)))
        except ValueError:
            pass
    if "=" in body and "\n" not in body.strip():
        return parse_qsl(body, keep_blank_values=True)
    return [("", body)]


def _cookie_pairs(header: str) -> list[tuple[str, str]]:
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return [(name, value) for name, _, value in pairs if name]


def _by_shape(key: str, value: str) -> str | None:
    folded = key.casefold().replace("-", "_")
    last = folded.rsplit(".", 1)[-1]
    if _IMEI.match(value) and ("imei" in folded or "device" in folded):
        return "device.identifiers"
    if any(k in last for k in _DEVICE_KEYS) and (
        _ANDROID_ID.match(value) or _AD_ID.match(value) or _IMEI.match(value)
    ):
        return "device.identifiers"
    if last in _LOCATION_KEYS and _COORD.match(value):
        return "location.precise"
    return None


def _in(value: str, needles: Mapping[str, tuple[str, ...]]) -> Iterator[str]:
    for category, forms in needles.items():
        if any(form and form in value for form in forms):
            yield category


def find_sent(
    *,
    url: str,
    headers: Mapping[str, str],
    body: str | None,
    persona: Persona = DEFAULT_PERSONA,
) -> tuple[SentData, ...]:
    """Every personal-data category found in a request, each with where and under which key, once each."""
    needles = {category: _forms(value) for category, value in persona.traceable().items()}
    lowered = {k.casefold(): v for k, v in headers.items()}
    places: list[tuple[Where, str, str]] = []
    places += [(Where.URL, k, v) for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    path = urlsplit(url).path
    places.append((Where.URL, "(path)", path))
    places += [(Where.BODY, k or "(body)", v) for k, v in _pairs(body, lowered.get("content-type", ""))]
    places += [(Where.COOKIE, k, v) for k, v in _cookie_pairs(lowered.get("cookie", ""))]
    places += [
        (Where.HEADER, k, v) for k, v in lowered.items() if k not in _SKIPPED_HEADERS and k != "cookie"
    ]
    found: dict[tuple[str, Where, str], None] = {}
    for where, key, value in places:
        for category in _in(value, needles):
            found[(category, where, key)] = None
        shaped = _by_shape(key, value)
        if shaped is not None:
            found[(shaped, where, key)] = None
    return tuple(SentData(category=c, where=w, key=k) for c, w, k in found)


def sent_names(*, url: str, headers: Mapping[str, str], body: str | None) -> tuple[str, ...]:
    """The names under which a request sent anything (query parameters, body fields, cookies, headers),
    never the values: what a trace file may keep of a request it did not watch being typed."""
    lowered = {k.casefold(): v for k, v in headers.items()}
    names = [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    names += [k for k, _ in _pairs(body, lowered.get("content-type", "")) if k]
    names += [k for k, _ in _cookie_pairs(lowered.get("cookie", ""))]
    names += [k for k in lowered if k not in _SKIPPED_HEADERS and k != "cookie" and not k.startswith(":")]
    return tuple(dict.fromkeys(names))
