"""Turns composed YAML nodes into plain data, recording where each value came from.

Pydantic validates plain data and knows no lines, so the builder keeps a manifest pointer → (line,
column) map beside the data, and reports what YAML allows but a manifest does not: a key twice in
one mapping, an id twice in one list. The tree it walks is already bounded and free of loops
(`yaml_compose` refused anything else), so the walk needs no budget of its own.
"""

from __future__ import annotations

from typing import Any

import yaml

from consentgate.errors import ManifestError, SourceLocation
from consentgate.i18n import message
from consentgate.manifest.positions import Position, escape

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_NUMBERS = (_BOOL, _INT, _FLOAT)
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Manifests repeat the same few scalars and the same (line, column) pairs, so converted scalars and
# positions are memoized across files; bounded to stay small.
_MEMO_LIMIT = 50_000
_CONVERTED: dict[tuple[str, str], Any] = {}
_POSITIONS: dict[tuple[int, int], Position] = {}


def position(mark: yaml.Mark) -> Position:
    key = (mark.line, mark.column)
    found = _POSITIONS.get(key)
    if found is None:
        found = Position(mark.line + 1, mark.column + 1)
        if len(_POSITIONS) < _MEMO_LIMIT:
            _POSITIONS[key] = found
    return found


def _convert(node: yaml.ScalarNode) -> Any:
    """bool, int and float scalars, converted by PyYAML's own rules (0x10, 1_000, .inf, yes/no...)."""
    key = (node.tag, node.value)
    if key in _CONVERTED:
        return _CONVERTED[key]
    if node.tag == _BOOL:
        value: Any = _SCALAR_CONSTRUCTOR.construct_yaml_bool(node)
    elif node.tag == _INT:
        value = _SCALAR_CONSTRUCTOR.construct_yaml_int(node)
    else:
        value = _SCALAR_CONSTRUCTOR.construct_yaml_float(node)
    if len(_CONVERTED) < _MEMO_LIMIT:
        _CONVERTED[key] = value
    return value


def _segment(value: str) -> str:
    return escape(value) if "/" in value or "~" in value else value


def _scalar_id(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
            return str(value_node.value)
    return None


class Builder:
    """Builds one file's data; `positions` and `errors` fill as `build` walks the tree."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions: dict[str, Position] = {}
        self.errors: list[ManifestError] = []

    def _error(self, message_key: str, node: yaml.Node, node_pointer: str, **values: object) -> None:
        where = position(node.start_mark)
        location = SourceLocation(self.path, where.line, where.column, node_pointer)
        text = message(message_key, path=self.path, line=where.line, column=where.column, **values)
        self.errors.append(ManifestError(text, location=location))

    def build(self, node: yaml.Node, at: str) -> Any:
        if isinstance(node, yaml.ScalarNode):
            try:
                return self._scalar(node)
            except ValueError:
                # Python refuses int() of more than 4,300 digits (a guard against quadratic time).
                self._error("error.number_too_long", node, at, field=at or "/")
                return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, at)
        return None

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None  # a mapping or list used as a key: reported as an unknown field `None`
        tag = node.tag
        if tag == _NULL:
            return None
        if tag in _NUMBERS:
            return _convert(node)
        return node.value  # strings, and timestamps kept as written

    def _key(self, node: yaml.Node) -> str:
        try:
            return str(self._scalar(node))
        except ValueError:  # a number too long to convert: as written is name enough for an unknown key
            return str(node.value)

    def _mapping(self, node: yaml.MappingNode, at: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        positions = self.positions
        for key_node, value_node in node.value:
            key = self._key(key_node)
            child = f"{at}/{_segment(key)}"
            if key in result:
                self._error("error.duplicate_mapping_key", key_node, child, name=key)
                continue
            positions[child] = position(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result

    def _sequence(self, node: yaml.SequenceNode, at: str) -> list[Any]:
        result: list[Any] = []
        seen_ids: set[str] = set()
        positions = self.positions
        for index, item in enumerate(node.value):
            item_id = _scalar_id(item)
            segment: str = str(index)
            if item_id is not None:
                if item_id in seen_ids:
                    self._error(
                        "error.duplicate_id",
                        item,
                        f"{at}/{_segment(item_id)}",
                        id=item_id,
                        section=at.lstrip("/"),
                    )
                else:
                    seen_ids.add(item_id)
                    segment = _segment(item_id)
            child = f"{at}/{segment}"
            positions[child] = position(item.start_mark)
            result.append(self.build(item, child))
        return result
