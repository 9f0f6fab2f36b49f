"""Reads a manifest from YAML, keeping the line and column of every node, and validates it.

Errors are collected, not raised one by one, so a user sees every problem of a file at once,
each with file:line:column and a bilingual message.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from consentgate.errors import ManifestError, ManifestErrors, SourceLocation
from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import Position, PositionMap, pointer
from consentgate.manifest.references import check_references, hint

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class LoadedManifest:
    """A validated manifest with what is needed to point back into its file."""

    path: str
    manifest: Manifest
    positions: PositionMap

    def location(self, node_pointer: str) -> SourceLocation:
        position = self.positions.at(node_pointer)
        return SourceLocation(self.path, position.line, position.column, node_pointer)


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions and duplicate keys or ids."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions: dict[str, Position] = {}
        self.errors: list[ManifestError] = []

    def _where(self, node: yaml.Node) -> Position:
        return Position(node.start_mark.line + 1, node.start_mark.column + 1)

    def _error(self, message_key: str, node: yaml.Node, node_pointer: str, **values: object) -> None:
        where = self._where(node)
        location = SourceLocation(self.path, where.line, where.column, node_pointer)
        self.errors.append(
            ManifestError.from_key(
                message_key,
                location=location,
                path=self.path,
                line=where.line,
                column=where.column,
                **values,
            )
        )

    def build(self, node: yaml.Node, at: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, at)
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        value = node.value
        tag = node.tag
        if tag == _NULL:
            return None
        if tag in (_BOOL, _INT, _FLOAT):
            return _SCALAR_CONSTRUCTOR.construct_object(node)
        return value  # strings, and timestamps kept as written

    def _mapping(self, node: yaml.MappingNode, at: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(self._scalar(key_node))
            child = pointer(key) if at == "" else f"{at}{pointer(key)}"
            if key in result:
                self._error("error.duplicate_key", key_node, child, key=key)
                continue
            self.positions[child] = self._where(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _sequence(self, node: yaml.SequenceNode, at: str) -> list[Any]:
        result: list[Any] = []
        seen_ids: set[str] = set()
        for index, item in enumerate(node.value):
            item_id = _scalar_id(item)
            segment: str | int = index
            if item_id is not None:
                if item_id in seen_ids:
                    self._error(
                        "error.duplicate_id",
                        item,
                        f"{at}{pointer(item_id)}",
                        id=item_id,
                        section=at.lstrip("/"),
                    )
                else:
                    seen_ids.add(item_id)
                    segment = item_id
            child = f"{at}{pointer(segment)}"
            self.positions[child] = self._where(item)
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


def _validation_errors(exc: ValidationError, raw: Any, located: _Located) -> Iterator[ManifestError]:
    for problem in exc.errors():
        loc = tuple(problem["loc"])
        node_pointer = _pointer_for(raw, loc)
        if problem["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            choices = _field_names(model) if model else []
            yield located.error(
                "error.unknown_field",
                node_pointer,
                field=str(loc[-1]),
                hint=hint(str(loc[-1]), choices),
            )
        else:
            field = ".".join(str(s) for s in loc) or "(manifest)"
            yield located.error("error.invalid_value", node_pointer, field=field, problem=problem["msg"])


def parse_manifest(text: str, path: str = "<string>") -> LoadedManifest:
    """Parses and validates manifest text; raises `ManifestErrors` listing every problem found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ManifestErrors(
            [
                ManifestError.from_key(
                    "error.yaml_syntax",
                    location=SourceLocation(path, line, column),
                    path=path,
                    line=line,
                    column=column,
                    problem=exc.problem or str(exc),
                )
            ]
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise ManifestErrors(
            [ManifestError.from_key("error.not_a_mapping", location=SourceLocation(path, 1, 1), path=path)]
        )
    builder = _Builder(path)
    raw = builder.build(root, "")
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


def load_manifest(path: str | Path) -> LoadedManifest:
    """Reads one manifest file."""
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        raise ManifestErrors([ManifestError.from_key("error.file_not_found", path=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise ManifestErrors(
            [ManifestError.from_key("error.yaml_syntax", path=str(path), line=1, column=1, problem=str(exc))]
        ) from None
    return parse_manifest(text, str(path))
