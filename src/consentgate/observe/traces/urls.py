"""What a trace keeps of a request URL: the URL with query values dropped, its host, its parameter names.

Done by sent_data's own helpers (the browser path's redaction, exactly), but once per URL *shape*: a
trace repeats a few endpoints with ever-changing values, and urllib's parsing per event would cost more
than reading the event.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from consentgate.observe.sent_data import redact_url

_QUERY_VALUE = re.compile(r"=[^&]*")


def url_facts(url: str) -> tuple[str, str | None, tuple[str, ...]]:
    """(redacted URL, host, query parameter names) of `url`."""
    return _facts(_shape(url))


def _shape(url: str) -> str:
    """The URL without fragment and query values (`?a=&b=`): the same names, and a good cache key."""
    base, mark, query = url.partition("#")[0].partition("?")
    return base + mark + _QUERY_VALUE.sub("=", query) if mark else base


@lru_cache(maxsize=4096)
def _facts(shape: str) -> tuple[str, str | None, tuple[str, ...]]:
    parts = urlsplit(shape)
    names = tuple(dict.fromkeys(name for name, _ in parse_qsl(parts.query, keep_blank_values=True)))
    return redact_url(shape), parts.hostname, names
