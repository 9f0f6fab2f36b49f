"""Reads a manifest from YAML, keeping the line and column of every node, and validates it.

Errors are collected, not raised one by one, so a user sees every problem of a file at once,
each with file:line:column and a bilingual message. The steps live apart: input limits
(`limits`), YAML composition within them (`yaml_compose`), nodes to data with positions
(`yaml_build`); this module runs them and turns pydantic's errors into located, bilingual ones.
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
from consentgate.manifest.limits import ManifestLimits, check_size, line_column, prescan
from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import Position, PositionMap, pointer
from consentgate.manifest.references import check_references, hint
from consentgate.manifest.validation_text import describe
from consentgate.manifest.yaml_build import Builder
from consentgate.manifest.yaml_compose import compose
from consentgate.text import Text


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


def _syntax_error(text: str, path: str, exc: yaml.YAMLError) -> ManifestError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or str(exc)
    elif isinstance(exc, yaml.reader.ReaderError):
        line, column = line_column(text, exc.position)
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


def parse_manifest(
    text: str, path: str = "<string>", *, limits: ManifestLimits | None = None
) -> LoadedManifest:
    """Parses and validates manifest text; raises `ManifestErrors` listing every problem found.

    `limits` defaults to `ManifestLimits.from_env()`; text over any of them is refused before it is
    parsed (size, obvious nesting and alias bombs) or as soon as composition reaches the limit.
    """
    chosen = ManifestLimits.from_env() if limits is None else limits
    prescan(text, path, chosen)
    with _gc_paused():
        return _parse(text, path, chosen)


def _parse(text: str, path: str, limits: ManifestLimits) -> LoadedManifest:
    try:
        root = compose(text, path, limits)
    except yaml.YAMLError as exc:
        raise ManifestErrors([_syntax_error(text, path, exc)]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ManifestErrors(
            [ManifestError.from_key("error.not_a_mapping", location=SourceLocation(path, 1, 1), path=path)]
        )
    builder = Builder(path)
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


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", errors="replace")
        line, column = line_column(prefix, len(prefix))
        text = message("error.not_utf8", path=path, line=line, column=column, byte=f"0x{data[exc.start]:02x}")
        raise ManifestErrors([ManifestError(text, location=SourceLocation(path, line, column))]) from None


def load_manifest(path: str | Path, *, limits: ManifestLimits | None = None) -> LoadedManifest:
    """Reads one manifest file; a file over the size limit is refused before it is read whole."""
    chosen = ManifestLimits.from_env() if limits is None else limits
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(chosen.max_bytes + 1)
    except FileNotFoundError:
        raise ManifestErrors([ManifestError.from_key("error.file_not_found", path=str(path))]) from None
    except OSError as exc:
        raise ManifestErrors(
            [ManifestError.from_key("error.cannot_read", path=str(path), problem=exc.strerror or str(exc))]
        ) from None
    check_size(data, str(path), chosen)
    return parse_manifest(_decode(data, str(path)), str(path), limits=chosen)
