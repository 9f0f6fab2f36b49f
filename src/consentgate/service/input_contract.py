"""One input contract for the HTTP edge, so that SQLite and PostgreSQL see the same, storable input.

PostgreSQL refuses a NUL byte in text and a non-finite number in JSON (the driver raises, the request
died with a 500); SQLite stored `Infinity` and read back `null`. Neither backend should decide what
input means, so the edge does, before anything reaches a database:

- text holds no C0 control character but tab, line feed and carriage return, and no lone surrogate
  (neither can be encoded for a database);
- every string has a maximum length by its kind (an id, a person's account id, a line, a text);
- numbers are finite: `NaN`, `Infinity` and literals that overflow to infinity (`1e400`) are refused.

Request bodies are `ContractModel`s (every field checked, nested free-form content included, each
refusal naming its field); path and query parameters and the web pages' form fields pass
`refuse_hostile_parameters` (a dependency of every router). Either way the answer is a 422 problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

# Maximum lengths by field kind (characters).
ID_MAX = 80  # manifest ids: purposes, data items, recipients, notices, campaigns, records
SUBJECT_MAX = 200  # the app's own account id of a person
LINE_MAX = 500  # one line of text shown to people (a title, a message line)
TEXT_MAX = 2000  # free text and any string inside free-form content (answers, details)
ADDRESS_MAX = 320  # an e-mail address or phone number (RFC 5321's 64 + 1 + 255)
FORM_FIELD_MAX = 100_000  # a web form's field (a notice text in the console is the longest)

# C0 controls but \t \n \r, and the surrogate range (a lone surrogate cannot be encoded as UTF-8).
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

CONTROL_CHARACTER = "control_character"
NON_FINITE = "finite_number"
TOO_LONG = "string_too_long"


def refused_character(text: str, where: str = "") -> PydanticCustomError | None:
    """The refusal of `text`, when it holds a character no backend should be asked to store."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    return PydanticCustomError(
        CONTROL_CHARACTER,
        "contains the character U+{code} at position {position}{where}",
        {"code": f"{ord(found.group()):04X}", "position": found.start(), "where": where},
    )


def _clean(text: str) -> str:
    error = refused_character(text)
    if error is not None:
        raise error
    return text


Clean = AfterValidator(_clean)

IdText = Annotated[str, Field(min_length=1, max_length=ID_MAX), Clean]
SubjectText = Annotated[str, Field(min_length=1, max_length=SUBJECT_MAX), Clean]
LineText = Annotated[str, Field(min_length=1, max_length=LINE_MAX), Clean]
ShortText = Annotated[str, Field(max_length=SUBJECT_MAX), Clean]  # a key or item of free-form content
LongText = Annotated[str, Field(max_length=TEXT_MAX), Clean]
AddressText = Annotated[str, Field(min_length=1, max_length=ADDRESS_MAX), Clean]


def _storable(value: object) -> bool:
    """Whether `value` passes the contract: the quick answer for the common case (this runs on every
    field of every request, `decide` included), exact types first; anything else takes `_problem`."""
    if type(value) is str:
        return len(value) <= TEXT_MAX and _REFUSED.search(value) is None
    if type(value) is int or type(value) is bool or value is None:
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is list or type(value) is tuple:
        return all(_storable(item) for item in value)
    if type(value) is dict:
        return all(_storable(key) and _storable(item) for key, item in value.items())
    return _problem(value) is None


def _problem(value: object, path: str = "") -> PydanticCustomError | None:
    """The first thing the contract refuses inside `value` (free-form content: dicts, lists, scalars),
    with where it sits."""
    if isinstance(value, str):
        if len(value) > TEXT_MAX:
            return PydanticCustomError(
                TOO_LONG,
                "String should have at most {max_length} characters{where}",
                {"max_length": TEXT_MAX, "where": _at(path)},
            )
        return refused_character(value, _at(path)) if _REFUSED.search(value) else None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return PydanticCustomError(NON_FINITE, "Input should be a finite number{where}", {"where": _at(path)})
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{path}.{key!s:.40}" if path else f"{key!s:.40}"
            error = _problem(key, inner) or _problem(item, inner)
            if error is not None:
                return error
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            error = _problem(item, f"{path}[{index}]")
            if error is not None:
                return error
    return None


def _at(path: str) -> str:
    return f" (at {path})" if path else ""


class ContractModel(BaseModel):
    """A request body under the input contract: finite numbers, storable text, bounded lengths.

    Typed fields carry their own length (`IdText`, `SubjectText`...); the check below covers every
    field once more, free-form content (`dict[str, Any]`) included, so no field can be forgotten.
    """

    model_config = ConfigDict(allow_inf_nan=False, str_max_length=TEXT_MAX)

    @field_validator("*", mode="after")
    @classmethod
    def _contract(cls, value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value  # a nested body is a ContractModel and has checked itself
        if _storable(value):
            return value
        error = _problem(value)
        if error is not None:
            raise error
        return value


def _parameter_error(where: str, name: str, value: str, limit: int) -> dict[str, Any] | None:
    error = refused_character(value)
    if error is not None:
        return {"type": error.type, "loc": (where, name), "msg": error.message(), "ctx": error.context}
    if len(value) > limit:
        return {
            "type": TOO_LONG,
            "loc": (where, name),
            "msg": f"String should have at most {limit} characters",
            "ctx": {"max_length": limit},
        }
    return None


def _named_errors(where: str, name: str, value: str, limit: int) -> list[dict[str, Any]]:
    """A query's or form's field: its name is input too."""
    errors = [_parameter_error(where, name, name, TEXT_MAX), _parameter_error(where, name, value, limit)]
    return [error for error in errors if error is not None]


async def refuse_hostile_parameters(request: Request) -> None:
    """Path and query parameters, and a posted form's fields, under the contract: a 422 before any
    endpoint (or a form's own checks) runs. Lengths of typed parameters are each route's own; this
    is the backstop for every string the route did not type."""
    found: list[dict[str, Any]] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and (error := _parameter_error("path", name, value, TEXT_MAX)):
            found.append(error)
    for name, value in request.query_params.multi_items():
        found += _named_errors("query", name, value, TEXT_MAX)
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        for name, item in form.multi_items():
            if isinstance(item, str):
                found += _named_errors("form", name, item, FORM_FIELD_MAX)
    if found:
        raise RequestValidationError(found)


__all__ = [
    "ADDRESS_MAX",
    "ID_MAX",
    "LINE_MAX",
    "SUBJECT_MAX",
    "TEXT_MAX",
    "AddressText",
    "ContractModel",
    "IdText",
    "LineText",
    "LongText",
    "ShortText",
    "SubjectText",
    "refuse_hostile_parameters",
    "refused_character",
]
