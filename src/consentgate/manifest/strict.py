"""The base of every manifest model: frozen, and strict about unknown keys."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80)]


class Strict(BaseModel):
    """Unknown fields are errors: a misspelt key must never silently drop a fact."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
