"""Facts that may be unknown: a manifest states what it knows, and silence is never read as a breach.

Every boolean and enum fact of the manifest is `None` until it is stated. Writing `unknown` says so
explicitly and means the same: the auditor reports the checks that needed it as *unconfirmed*
instead of concluding a violation. `false`, `none` and `[]` state that a thing is absent.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, GetJsonSchemaHandler, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

UNKNOWN = "unknown"

T = TypeVar("T")


def unknown_is_none(value: Any) -> Any:
    """`unknown` (any case, surrounding blanks allowed) is the same as leaving the fact out."""
    if isinstance(value, str) and value.strip().lower() == UNKNOWN:
        return None
    return value


_BOOL_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "boolean"}, {"const": UNKNOWN}, {"type": "null"}],
    "description": "true, false, or unknown (the same as leaving it out)",
}

# A yes/no fact: true, false, or unknown (None). Omitting it is the same as writing `unknown`.
Tri = Annotated[bool | None, BeforeValidator(unknown_is_none), WithJsonSchema(_BOOL_SCHEMA)]


class AcceptsWords:
    """Adds words the validator reads (`unknown`, `none`) to the JSON Schema, so editors offer them too."""

    def __init__(self, *words: str) -> None:
        self.words = (*words, UNKNOWN)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(schema), *({"const": w} for w in self.words)]}


# An enum, a number or any other fact: its value, or unknown (None).
Maybe = Annotated[T | None, BeforeValidator(unknown_is_none), AcceptsWords()]
