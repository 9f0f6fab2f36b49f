"""Audit settings from `[tool.consentgate]` in the nearest pyproject.toml, or from consentgate.toml.

Lookup starts in the working directory and walks up; in each folder a consentgate.toml wins over
a pyproject.toml, and a pyproject.toml without `[tool.consentgate]` is passed over (as ruff does).
Relative paths in the file are relative to the file's folder, so the settings mean the same thing
from any subfolder. Command-line flags always win over the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from consentgate.audit.summary import FailOn
from consentgate.errors import UsageError
from consentgate.text import Lang

PYPROJECT = "pyproject.toml"
OWN_FILE = "consentgate.toml"


class OutputSettings(BaseModel):
    """Where each report format goes: a file path, or `-` for standard output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = None
    json_: str | None = Field(default=None, alias="json")
    sarif: str | None = None
    html: str | None = None


class AuditSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_on: FailOn | None = Field(default=None, alias="fail-on")
    lang: Lang | None = None
    jobs: PositiveInt | None = None
    baseline: str | None = None
    outputs: OutputSettings = Field(default_factory=OutputSettings)


@dataclass(frozen=True)
class AuditConfig:
    """The settings and the file they came from (None when no file was found)."""

    settings: AuditSettings = field(default_factory=AuditSettings)
    source: Path | None = None

    def path(self, value: str | None) -> Path | None:
        """A path from the file, made relative to the file's folder; `-` (stdout) is kept as is."""
        if value is None:
            return None
        if value == "-" or self.source is None:
            return Path(value)
        return self.source.parent / value


def _table(file: Path) -> dict[str, Any] | None:
    """The consentgate table of a file, or None when a pyproject.toml has none."""
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError.from_key("error.bad_config", path=str(file), problem=str(exc)) from None
    if file.name == OWN_FILE:
        return data
    tool = data.get("tool", {})
    table = tool.get("consentgate") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def find_config_file(start: Path) -> Path | None:
    for folder in (start.resolve(), *start.resolve().parents):
        for name in (OWN_FILE, PYPROJECT):
            candidate = folder / name
            if candidate.is_file() and (name == OWN_FILE or _table(candidate) is not None):
                return candidate
    return None


def load_config(explicit: Path | None = None, start: Path | None = None) -> AuditConfig:
    """Reads `explicit`, or the nearest config file above `start` (the working directory by default)."""
    source = explicit if explicit is not None else find_config_file(start or Path.cwd())
    if source is None:
        return AuditConfig()
    if not source.is_file():
        raise UsageError.from_key("error.file_not_found", path=str(source))
    table = _table(source) or {}
    try:
        settings = AuditSettings.model_validate(table)
    except ValidationError as exc:
        problem = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(table)'}: {e['msg']}" for e in exc.errors()
        )
        raise UsageError.from_key("error.bad_config", path=str(source), problem=problem) from None
    return AuditConfig(settings=settings, source=source)
