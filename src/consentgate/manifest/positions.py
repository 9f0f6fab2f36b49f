"""Manifest pointers and the source positions they map to.

A pointer names a node the way people think of it: list items that have an `id` are named by
that id (`/purposes/personalized-push/basis`), others by index. Pointers therefore survive
reordering, which is what suppressions and baselines need; line numbers do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def pointer(*segments: str | int) -> str:
    """`pointer("purposes", "push", "basis")` → `/purposes/push/basis`."""
    return "".join(f"/{escape(str(s))}" for s in segments)


def from_dotted(path: str) -> str:
    """Accepts a suppression path in dotted form (`purposes.push`) or pointer form (`/purposes/push`)."""
    if path.startswith("/") or path == "":
        return path
    return pointer(*path.split("."))


def is_within(child: str, ancestor: str) -> bool:
    return child == ancestor or child.startswith(ancestor.rstrip("/") + "/") or ancestor in ("", "/")


@dataclass(frozen=True)
class Position:
    """1-based line and column, as editors show them."""

    line: int
    column: int


class PositionMap:
    """Pointer → position of the key (or item) that introduces the node."""

    def __init__(self, positions: Mapping[str, Position]) -> None:
        self._positions = dict(positions)

    def at(self, node_pointer: str) -> Position:
        """The node's own position, or its nearest ancestor's when the node is absent (a missing field)."""
        current = node_pointer
        while current:
            found = self._positions.get(current)
            if found is not None:
                return found
            current = current.rsplit("/", 1)[0]
        return self._positions.get("", Position(1, 1))

    def pointers(self) -> Iterable[str]:
        return self._positions.keys()
