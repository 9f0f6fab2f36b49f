"""Reads a manifest from YAML, keeping the line and column of every node, and validates it.

Errors are collected, not raised one by one, so a user sees every problem of a file at once,
each with file:line:column and a bilingual message.
"""

from __future__ import annotations

import gc
import re
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from consentgate.errors import ManifestError, ManifestErrors, SourceLocation
from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import Position, PositionMap, escape, pointer
from consentgate.manifest.references import check_references, hint
from consentgate.manifest.validation_text import describe
from consentgate.text import Text

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_NUMBERS = (_BOOL, _INT, _FLOAT)
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Aliases can make a small file expand into a huge tree ("billion laughs"); no manifest needs this many nodes.
_MAX_NODES = 2_000_000
# Manifests repeat the same few scalars ("true", "consent", "15") and the same (line, column) pairs, so
# resolved tags, converted scalars and positions are memoized across files; bounded to stay small.
_MEMO_LIMIT = 50_000
_TAGS: dict[tuple[str, bool, bool], str] = {}
_CONVERTED: dict[tuple[str, str], Any] = {}
_POSITIONS: dict[tuple[int, int], Position] = {}


class _ManifestLoader(yaml.CSafeLoader):
    """libyaml's safe loader with memoized implicit tag resolution (regex work per scalar otherwise)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or not isinstance(value, str):
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, bool(implicit[0]), bool(implicit[1]))
        tag = _TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(_TAGS) < _MEMO_LIMIT:
                _TAGS[key] = tag
        return tag


def _position(mark: yaml.Mark) -> Position:
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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A parse allocates thousands of short-lived, acyclic objects; reference counting frees them all.

    Letting the cyclic collector scan the whole heap (catalog, rules, pydantic) every few hundred
    allocations costs about a fifth of a typical manifest's load time, for no garbage found.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class LoadedManifest:
    """A validated manifest with what is needed to point back into its file."""

    path: str
    manifest: Manifest
    positions: PositionMap

    def location(self, node_pointer: str) -> SourceLocation:
        position = self.positions.at(node_pointer)
        return SourceLocation(self.path, position.line, position.column, node_pointer)


class _AliasLoop(Exception):
    """A node that contains itself, or an alias expansion beyond `_MAX_NODES`."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__()
        self.node = node


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions and duplicate keys or ids."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions: dict[str, Position] = {}
        self.errors: list[ManifestError] = []
        self._open: set[int] = set()  # ids of the collection nodes being built, to catch `&a [*a]`
        self._budget = _MAX_NODES

    def _where(self, node: yaml.Node) -> Position:
        return _position(node.start_mark)

    def _error(self, message_key: str, node: yaml.Node, node_pointer: str, **values: object) -> None:
        where = self._where(node)
        location = SourceLocation(self.path, where.line, where.column, node_pointer)
        text = message(message_key, path=self.path, line=where.line, column=where.column, **values)
        self.errors.append(ManifestError(text, location=location))

    def build(self, node: yaml.Node, at: str) -> Any:
        self._budget -= 1
        if self._budget < 0:
            raise _AliasLoop(node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:
            raise _AliasLoop(node)
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, at)
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, at)
            return None
        finally:
            self._open.discard(id(node))

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None  # a mapping or list used as a key: reported as an unknown field `None`
        tag = node.tag
        if tag == _NULL:
            return None
        if tag in _NUMBERS:
            return _convert(node)
        return node.value  # strings, and timestamps kept as written

    def _mapping(self, node: yaml.MappingNode, at: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        positions = self.positions
        for key_node, value_node in node.value:
            key = str(self._scalar(key_node))
            child = f"{at}/{_segment(key)}"
            if key in result:
                self._error("error.duplicate_mapping_key", key_node, child, name=key)
                continue
            positions[child] = _position(key_node.start_mark)
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
            positions[child] = _position(item.start_mark)
            result.append(self.build(item, child))
        return result


def _scalar_id(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
            return str(value_node.value)
    return None


def _unwrap(annotation: Any) -> Any:
    """Finds the model class inside `X | None`, `list[X]` and `Annotated[X, ...]`."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            inner = _unwrap(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Manifest
    for segment in loc:
        if isinstance(segment, int):
            continue
        field = next(
            (f for name, f in model.model_fields.items() if segment in (name, f.alias)),
            None,
        )
        if field is None:
            return None
        inner = _unwrap(field.annotation)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _pointer_for(raw: Any, loc: tuple[int | str, ...]) -> str:
    segments: list[str | int] = []
    node = raw
    for segment in loc:
        if isinstance(segment, int) and isinstance(node, list) and segment < len(node):
            item = node[segment]
            item_id = item.get("id") if isinstance(item, dict) else None
            segments.append(str(item_id) if isinstance(item_id, str | int) else segment)
            node = item
        else:
            segments.append(segment)
            node = node.get(segment) if isinstance(node, dict) else None
    return pointer(*segments)


class _Located:
    """Makes errors that point at a node of one file."""

    def __init__(self, path: str, positions: PositionMap) -> None:
        self.path = path
        self.positions = positions

    def error(self, key: str, node_pointer: str, **values: object) -> ManifestError:
        where = self.positions.at(node_pointer)
        location = SourceLocation(self.path, where.line, where.column, node_pointer)
        text = message(key, path=self.path, line=where.line, column=where.column, **values)
        return ManifestError(text, location=location)


_WRONG_TYPE = {
    "string_type": "type.string",
    "int_type": "type.integer",
    "int_parsing": "type.integer",
    "int_from_float": "type.integer",
    "float_type": "type.number",
    "float_parsing": "type.number",
    "bool_type": "type.boolean",
    "bool_parsing": "type.boolean",
    "list_type": "type.list",
    "model_type": "type.mapping",
    "model_attributes_type": "type.mapping",
    "dict_type": "type.mapping",
}
_QUOTED = re.compile(r"'([^']*)'")


def _found(value: Any) -> Text:
    """Names the YAML type of a value the way the message catalog does."""
    if value is None:
        return message("type.null")
    if isinstance(value, bool):
        return message("type.boolean")
    if isinstance(value, int):
        return message("type.integer")
    if isinstance(value, float):
        return message("type.number")
    if isinstance(value, list):
        return message("type.list")
    if isinstance(value, dict):
        return message("type.mapping")
    return message("type.string")


def _shown(node_pointer: str) -> str:
    return node_pointer or "/"


def _validation_errors(exc: ValidationError, raw: Any, located: _Located) -> Iterator[ManifestError]:
    """Turns pydantic's errors into bilingual ones; pydantic's own text is English only."""
    for problem in exc.errors():
        loc = tuple(problem["loc"])
        node_pointer = _pointer_for(raw, loc)
        kind = problem["type"]
        value = problem.get("input")
        if kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            choices = _field_names(model) if model else []
            yield located.error(
                "error.unknown_field",
                node_pointer,
                field=str(loc[-1]),
                hint=hint(str(loc[-1]), choices),
            )
        elif kind == "missing":
            parent = node_pointer.rsplit("/", 1)[0]
            yield located.error("error.missing_field", node_pointer, field=_shown(parent), name=str(loc[-1]))
        elif kind == "enum":
            choices = _QUOTED.findall(str(problem.get("ctx", {}).get("expected", "")))
            yield located.error(
                "error.invalid_choice",
                node_pointer,
                field=_shown(node_pointer),
                value=str(value),
                choices=", ".join(choices),
                hint=hint(str(value), choices),
            )
        elif kind in _WRONG_TYPE:
            yield located.error(
                "error.wrong_type",
                node_pointer,
                field=_shown(node_pointer),
                expected=message(_WRONG_TYPE[kind]),
                found=_found(value),
            )
        elif kind in ("string_pattern_mismatch", "string_too_long"):
            yield located.error(
                "error.invalid_id", node_pointer, field=_shown(node_pointer), value=str(value)
            )
        else:
            yield located.error(
                "error.invalid_value", node_pointer, field=_shown(node_pointer), problem=describe(problem)
            )


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _syntax_error(text: str, path: str, exc: yaml.YAMLError) -> ManifestError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or str(exc)
    elif isinstance(exc, yaml.reader.ReaderError):
        line, column = _line_column(text, exc.position)
        problem = exc.reason if isinstance(exc.reason, str) else str(exc)
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        if isinstance(code, int):
            problem = f"{problem} (#x{code:04x})"
    else:
        line, column, problem = 1, 1, str(exc)
    return ManifestError(
        message("error.yaml_syntax", path=path, line=line, column=column, problem=problem),
        location=SourceLocation(path, line, column),
    )


def parse_manifest(text: str, path: str = "<string>") -> LoadedManifest:
    """Parses and validates manifest text; raises `ManifestErrors` listing every problem found."""
    with _gc_paused():
        return _parse(text, path)


def _parse(text: str, path: str) -> LoadedManifest:
    try:
        root = yaml.compose(text, Loader=_ManifestLoader)
    except yaml.YAMLError as exc:
        raise ManifestErrors([_syntax_error(text, path, exc)]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ManifestErrors(
            [ManifestError.from_key("error.not_a_mapping", location=SourceLocation(path, 1, 1), path=path)]
        )
    builder = _Builder(path)
    try:
        raw = builder.build(root, "")
    except _AliasLoop as loop:
        where = builder._where(loop.node)
        raise ManifestErrors(
            [
                ManifestError(
                    message("error.alias_loop", path=path, line=where.line, column=where.column),
                    location=SourceLocation(path, where.line, where.column),
                )
            ]
        ) from None
    builder.positions.setdefault("", Position(1, 1))
    positions = PositionMap(builder.positions)
    located = _Located(path, positions)
    errors = list(builder.errors)
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        errors.extend(_validation_errors(exc, raw, located))
        raise ManifestErrors(sorted(errors, key=_order)) from None
    errors.extend(located.error(e.key, e.pointer, **e.values) for e in check_references(manifest))
    if errors:
        raise ManifestErrors(sorted(errors, key=_order))
    return LoadedManifest(path=path, manifest=manifest, positions=positions)


def _order(error: ManifestError) -> tuple[int, int]:
    return (error.location.line, error.location.column) if error.location else (0, 0)


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_column(prefix, len(prefix))
        text = message("error.not_utf8", path=path, line=line, column=column, byte=f"0x{data[exc.start]:02x}")
        raise ManifestErrors([ManifestError(text, location=SourceLocation(path, line, column))]) from None


def load_manifest(path: str | Path) -> LoadedManifest:
    """Reads one manifest file."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ManifestErrors([ManifestError.from_key("error.file_not_found", path=str(path))]) from None
    except OSError as exc:
        raise ManifestErrors(
            [ManifestError.from_key("error.cannot_read", path=str(path), problem=exc.strerror or str(exc))]
        ) from None
    return parse_manifest(_decode(data, str(path)), str(path))
