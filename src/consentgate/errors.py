"""The one exception hierarchy: every error carries a code, zh/en text and, where known, a place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from consentgate.i18n import message
from consentgate.text import Lang, Text


@dataclass(frozen=True)
class SourceLocation:
    """A place in a manifest: file, 1-based line and column, and the manifest pointer."""

    path: str
    line: int
    column: int
    pointer: str = ""


class ConsentgateError(Exception):
    """Base of all errors consentgate raises on purpose; the CLI prints them and exits 2."""

    code = "consentgate.error"

    def __init__(self, text: Text, *, location: SourceLocation | None = None) -> None:
        super().__init__(text.en)
        self.text = text
        self.location = location

    @classmethod
    def from_key(cls, key: str, /, *, location: SourceLocation | None = None, **values: object) -> Self:
        return cls(message(key, **values), location=location)

    def render(self, lang: Lang) -> str:
        return f"[{self.code}] {self.text.in_(lang)}"


class ManifestError(ConsentgateError):
    """A manifest that cannot be read or does not validate."""

    code = "manifest.invalid"


class ManifestErrors(ConsentgateError):
    """All problems found in one manifest, reported together so a user fixes them in one pass."""

    code = "manifest.invalid"

    def __init__(self, errors: list[ManifestError]) -> None:
        joined = Text(
            zh="\n".join(e.text.zh for e in errors),
            en="\n".join(e.text.en for e in errors),
        )
        super().__init__(joined, location=errors[0].location if errors else None)
        self.errors = errors


class UsageError(ConsentgateError):
    """A command line or configuration the user must correct."""

    code = "usage"


class LawLookupError(ConsentgateError):
    """A citation or rule id that does not exist."""

    code = "law.unknown"
