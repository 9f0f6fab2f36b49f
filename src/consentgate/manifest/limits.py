"""How big and how deep a manifest may be, and the cheap text scan that refuses bombs before parsing.

A manifest is text someone else may have written. libyaml's composer recurses once per nesting
level in C (50,000 `[` crash the process) and aliases let 567 bytes expand into millions of nodes,
so every limit is checked before any tree is built: size and the obvious marks here, on the raw
text; exact depth, alias uses and node count in `yaml_compose` as the events stream past.

The defaults are far above any real manifest (the largest example is a few hundred lines, depth 8,
no aliases) and can be raised per process with environment variables, which a batch's worker
processes inherit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from consentgate.errors import ManifestError, ManifestErrors, SourceLocation, UsageError
from consentgate.i18n import message

_ENV = {
    "max_bytes": "CONSENTGATE_MANIFEST_MAX_BYTES",
    "max_depth": "CONSENTGATE_MANIFEST_MAX_DEPTH",
    "max_aliases": "CONSENTGATE_MANIFEST_MAX_ALIASES",
    "max_nodes": "CONSENTGATE_MANIFEST_MAX_NODES",
}
# Flow brackets, and aliases where YAML lets one start (after a space or a flow indicator, or at a
# line start); quoted scalars and comments are matched first and skipped, a line at most and without
# backtracking (an unclosed quote runs to the end of its line), so the scan stays linear. A plain
# scalar with a bracket or a `*word` can make it over-count, a stray quote under-count: it is a cheap
# first line against the obvious bombs; the exact counts in `yaml_compose` decide every other case.
_MARKS = re.compile(
    r"""(?=['"#\[\]{}*])(?:'[^'\n]*+(?:''[^'\n]*+)*+'?|"(?:[^"\\\n]++|\\.)*+"?|(?:(?<=\s)|^)\#[^\n]*+"""
    r"""|[\[\]{}]|(?:(?<=[\s\[{,])|^)\*(?=[^\s\[\]{},]))""",
    re.MULTILINE,
)


@dataclass(frozen=True)
class ManifestLimits:
    """The most a manifest may be; each refusal names the setting that would allow more."""

    max_bytes: int = 2 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 100
    # Every node the built tree would hold, an alias counting each node it stands for.
    max_nodes: int = 200_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ManifestLimits:
        """The defaults, with any `CONSENTGATE_MANIFEST_MAX_*` variable set in the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for field, variable in _ENV.items():
            raw = env.get(variable)
            if raw is None or not raw.strip():
                continue
            try:
                value = int(raw.strip())
            except ValueError:
                value = 0
            if value < 1:
                raise UsageError.from_key("error.limit_setting", setting=variable, value=raw)
            values[field] = value
        return cls(**values)


def setting(field: str) -> str:
    """The environment variable that changes a limit, named in every refusal."""
    return _ENV[field]


def refusal(field: str, path: str, line: int, column: int, limit: int) -> ManifestErrors:
    key = f"error.limit_{field.removeprefix('max_')}"
    text = message(key, path=path, line=line, column=column, limit=limit, setting=setting(field))
    return ManifestErrors([ManifestError(text, location=SourceLocation(path, line, column))])


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def check_size(data: bytes, path: str, limits: ManifestLimits) -> None:
    """Refuses a file larger than `max_bytes`, pointing at the first character past the limit."""
    if len(data) <= limits.max_bytes:
        return
    prefix = data[: limits.max_bytes].decode("utf-8", errors="ignore")
    line, column = line_column(prefix, len(prefix))
    raise refusal("max_bytes", path, line, column, limits.max_bytes)


def prescan(text: str, path: str, limits: ManifestLimits) -> None:
    """Refuses text over the size limit, or whose flow nesting or count of aliases is over its limit.

    One regex pass over the text: far cheaper than parsing, and it runs before libyaml sees a byte.
    """
    if len(text) > limits.max_bytes or (
        len(text) * 4 > limits.max_bytes and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes
    ):
        check_size(text.encode("utf-8", "surrogatepass"), path, limits)
    # str.count is a C loop: with no more brackets or stars than the limits, no scan can find too many.
    brackets = text.count("[") + text.count("{")
    if brackets <= limits.max_depth and text.count("*") <= limits.max_aliases:
        return
    depth = 0
    aliases = 0
    for found in _MARKS.finditer(text):
        char = found.group()[0]
        if char in "[{":
            depth += 1
            if depth > limits.max_depth:
                raise refusal("max_depth", path, *line_column(text, found.start()), limits.max_depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "*":
            aliases += 1
            if aliases > limits.max_aliases:
                raise refusal("max_aliases", path, *line_column(text, found.start()), limits.max_aliases)
