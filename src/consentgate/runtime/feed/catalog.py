"""The content catalog: items an app recommends, tagged by dimension (level, goal, occupation …).

A dimension names the manifest data items its tags are matched against (`data`), so the catalog
says in data, not in code, which personal information a personalized ranking may use. Values are
declared with zh/en labels and aliases: a person who typed "教师" matches lessons tagged `teacher`.
A bad file fails with every problem listed at file:line:column, in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from consentgate.errors import ManifestErrors, SourceLocation
from consentgate.i18n import message
from consentgate.manifest.models import Id, Strict
from consentgate.manifest.references import hint
from consentgate.manifest.validation_text import describe
from consentgate.manifest.yaml_compose import guarded
from consentgate.runtime.feed.errors import CatalogInvalid, CatalogNotFound
from consentgate.text import Text


class Title(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def text(self) -> Text:
        return Text(zh=self.zh, en=self.en)


class TagValue(Strict):
    """One value of a dimension: its labels (shown in reasons) and other spellings people type."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)

    def text(self) -> Text:
        return Text(zh=self.zh, en=self.en)


class Dimension(Strict):
    id: Id
    label: Title
    data: list[Id] = Field(default_factory=list, description="Manifest data items matched against the tags")
    values: dict[Id, TagValue]


class CatalogItem(Strict):
    id: Id
    title: Title
    tags: dict[Id, list[Id]] = Field(default_factory=dict)
    published_at: date
    popularity: int = Field(default=0, ge=0)
    editors_pick: bool = False


class CatalogFile(Strict):
    catalog_version: Literal[1] = 1
    dimensions: list[Dimension] = Field(default_factory=list)
    items: list[CatalogItem] = Field(default_factory=list)


_MODELS: tuple[type[BaseModel], ...] = (CatalogFile, Dimension, CatalogItem, TagValue, Title)
_FIELDS = frozenset(name for model in _MODELS for name in model.model_fields)


def _normal(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Catalog:
    """A validated catalog, with the indexes the rankers need built once."""

    source: str
    dimensions: Mapping[str, Dimension]
    items: tuple[CatalogItem, ...]
    max_popularity: int
    _spellings: Mapping[str, Mapping[str, str]] = field(repr=False)  # dimension -> spelling -> value id

    @classmethod
    def build(cls, source: str, parsed: CatalogFile) -> Catalog:
        spellings = {
            d.id: {
                _normal(s): value_id
                for value_id, value in d.values.items()
                for s in (value_id, value.zh, value.en, *value.aliases)
            }
            for d in parsed.dimensions
        }
        return cls(
            source=source,
            dimensions={d.id: d for d in parsed.dimensions},
            items=tuple(parsed.items),
            max_popularity=max((i.popularity for i in parsed.items), default=0),
            _spellings=spellings,
        )

    def resolve(self, dimension: str, spelled: str) -> str | None:
        """The value id a person's answer names in `dimension` (by id, label or alias), or None."""
        return self._spellings.get(dimension, {}).get(_normal(spelled))

    def matched_data(self) -> frozenset[str]:
        """Every data item any dimension matches: all the personal information a ranking may use."""
        return frozenset(d for dimension in self.dimensions.values() for d in dimension.data)


def load_catalog(path: str | Path) -> Catalog:
    """Reads and validates a catalog file; typed bilingual errors for a missing or bad file."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise CatalogNotFound.from_key("feed.catalog_not_found", path=str(file)) from None
    except OSError as exc:
        raise CatalogNotFound.from_key(
            "feed.catalog_unreadable", path=str(file), problem=exc.strerror or exc.__class__.__name__
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogInvalid([message("feed.catalog_not_utf8", path=str(file))]) from None
    return parse_catalog(text, source=str(file))


def parse_catalog(text: str, *, source: str = "<catalog>") -> Catalog:
    """Validates catalog YAML given as text (`source` names it in errors)."""
    try:
        node = guarded(text, source)  # the manifest's limits first: a bomb never reaches safe_load
        data = yaml.safe_load(text)
    except ManifestErrors as exc:
        raise CatalogInvalid([e.text for e in exc.errors], location=exc.location) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or str(exc)
        location = SourceLocation(source, line, column)
        raise CatalogInvalid(
            [message("feed.catalog_yaml", path=source, line=line, column=column, problem=problem)],
            location=location,
        ) from None
    except yaml.YAMLError as exc:
        raise CatalogInvalid(
            [message("feed.catalog_yaml", path=source, line=1, column=1, problem=str(exc))]
        ) from None
    if not isinstance(data, dict) or node is None:
        raise CatalogInvalid([message("feed.catalog_not_mapping", path=source)])
    places = _Places(source, node, data)
    try:
        parsed = CatalogFile.model_validate(data)
    except ValidationError as exc:
        raise places.invalid([places.schema_problem(dict(problem)) for problem in exc.errors()]) from None
    problems = list(_semantic_problems(parsed, places))
    if problems:
        raise places.invalid(problems)
    return Catalog.build(source, parsed)


# ---------------------------------------------------------------------- problems and where they are

Loc = tuple[str | int, ...]


class _Places:
    """Maps a pydantic location (`items`, 3, `tags`) to file:line:column and a readable pointer."""

    def __init__(self, source: str, root: yaml.Node, data: Any) -> None:
        self.source = source
        self._root = root
        self._data = data
        self._first: SourceLocation | None = None

    def invalid(self, problems: list[Text]) -> CatalogInvalid:
        return CatalogInvalid(problems, location=self._first)

    def schema_problem(self, problem: Mapping[str, Any]) -> Text:
        loc: Loc = tuple(problem.get("loc", ()))
        if problem.get("type") == "extra_forbidden" and loc:
            name = str(loc[-1])
            return self.at(loc, "feed.catalog_unknown_field", name=name, hint=hint(name, _FIELDS))
        return self.at(loc, "feed.catalog_invalid_value", problem=describe(problem))

    def at(self, loc: Loc, key: str, **values: object) -> Text:
        mark = self._mark(loc)
        line, column = mark.line + 1, mark.column + 1
        field_pointer = self._pointer(loc)
        if self._first is None:
            self._first = SourceLocation(self.source, line, column, field_pointer)
        return message(key, path=self.source, line=line, column=column, field=field_pointer, **values)

    def _mark(self, loc: Loc) -> yaml.Mark:
        node = self._root
        mark = node.start_mark
        for segment in loc:
            if isinstance(node, yaml.MappingNode):
                found = next((pair for pair in node.value if pair[0].value == str(segment)), None)
                if found is None:
                    break
                mark, node = found[0].start_mark, found[1]
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and segment < len(node.value)
            ):
                node = node.value[segment]
                mark = node.start_mark
            else:
                break
        return mark

    def _pointer(self, loc: Loc) -> str:
        """`/items/lesson-03/tags/level`: list items named by their id, as manifest pointers do."""
        parts: list[str] = []
        current: Any = self._data
        for segment in loc:
            nxt: Any = None
            if isinstance(current, list) and isinstance(segment, int) and segment < len(current):
                nxt = current[segment]
                named = nxt.get("id") if isinstance(nxt, dict) else None
                parts.append(str(named) if isinstance(named, str) else str(segment))
            else:
                if isinstance(current, dict):
                    nxt = current.get(segment)
                parts.append(str(segment))
            current = nxt
        return "/" + "/".join(parts)


def _semantic_problems(parsed: CatalogFile, places: _Places) -> Iterable[Text]:
    """What the schema cannot say: unique ids, declared dimensions and values, unambiguous spellings."""
    yield from _duplicates([d.id for d in parsed.dimensions], "dimensions", places)
    yield from _duplicates([i.id for i in parsed.items], "items", places)
    dimensions = {d.id: d for d in parsed.dimensions}
    for index, dimension in enumerate(parsed.dimensions):
        yield from _spelling_clashes(index, dimension, places)
    for index, item in enumerate(parsed.items):
        for dimension_id, values in item.tags.items():
            loc: Loc = ("items", index, "tags", dimension_id)
            declared = dimensions.get(dimension_id)
            if declared is None:
                yield places.at(
                    loc,
                    "feed.catalog_unknown_dimension",
                    item=item.id,
                    dimension=dimension_id,
                    hint=hint(dimension_id, dimensions),
                )
                continue
            for position, value in enumerate(values):
                if value not in declared.values:
                    yield places.at(
                        (*loc, position),
                        "feed.catalog_unknown_tag",
                        item=item.id,
                        value=value,
                        dimension=dimension_id,
                        hint=hint(value, declared.values),
                        known=", ".join(declared.values),
                    )


def _duplicates(ids: list[str], section: str, places: _Places) -> Iterable[Text]:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield places.at((section, index, "id"), "feed.catalog_duplicate_id", id=item_id, section=section)
        seen.add(item_id)


def _spelling_clashes(index: int, dimension: Dimension, places: _Places) -> Iterable[Text]:
    """Two values answering to one spelling would make a match ambiguous."""
    owner: dict[str, str] = {}
    for value_id, value in dimension.values.items():
        for spelling in dict.fromkeys(_normal(s) for s in (value_id, value.zh, value.en, *value.aliases)):
            first = owner.setdefault(spelling, value_id)
            if first != value_id:
                yield places.at(
                    ("dimensions", index, "values", value_id),
                    "feed.catalog_alias_clash",
                    dimension=dimension.id,
                    alias=spelling,
                    first=first,
                    second=value_id,
                )
