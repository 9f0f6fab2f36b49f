"""What is held about one person, as titled tables: the shape a copy request hands over (PIPL 45).

Gathering (which rows of which service belong to the person) and rendering (JSON, CSV in a zip, an
HTML summary a person can read) are separate jobs; this module is the contract between them. Each
domain becomes a `Section` of rows with bilingual column titles, so a renderer needs to know no
domain and a new domain needs no renderer change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consentgate.text import Text


@dataclass(frozen=True)
class Column:
    """One column: the key of the value in each row and its heading in zh and en."""

    key: str
    title: Text


@dataclass(frozen=True)
class Section:
    """One kind of data held, e.g. the typed attributes; `key` names its file (`attributes.csv`).

    Row values are JSON values (str, int, float, bool, None, lists and dicts of them); a datetime is
    given as ISO 8601 text so that every format shows the same instant.
    """

    key: str
    title: Text
    explanation: Text  # why it is held: the purpose or the law, in words a person understands
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Holdings:
    """Everything held about `subject` in one tenant at `generated_at`, in sections."""

    subject: str
    tenant: str
    controller: str  # the operator's name as the manifest gives it
    generated_at: datetime
    request_id: str | None
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)
