"""Accepted findings, so that a team can adopt consentgate and fail only on what is new.

An entry is keyed by rule id, manifest path and manifest pointer, never by line: pointers name
list items by their `id`, so editing or reordering a manifest does not revive accepted findings.
Paths are stored relative to the baseline file, so the file works from any working directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from consentgate.audit.findings import Finding, ManifestReport
from consentgate.errors import UsageError

FORMAT_VERSION = 1


class BaselineEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    path: str
    pointer: str


class BaselineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consentgate_baseline: int
    findings: list[BaselineEntry]


def _key_path(manifest_path: str, baseline_file: Path) -> str:
    """The manifest's path relative to the baseline's folder, with forward slashes on every OS."""
    target = Path(manifest_path).resolve()
    try:
        return Path(os.path.relpath(target, baseline_file.resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return target.as_posix()


def _entry(finding: Finding, report: ManifestReport, baseline_file: Path) -> BaselineEntry:
    return BaselineEntry(
        rule_id=finding.rule_id,
        path=_key_path(report.path, baseline_file),
        pointer=finding.location.pointer,
    )


class Baseline:
    """A set of accepted (rule, path, pointer) keys."""

    def __init__(self, file: Path, entries: Iterable[BaselineEntry]) -> None:
        self.file = file
        self.entries = frozenset(entries)

    @classmethod
    def read(cls, file: Path) -> Baseline:
        """Reads a baseline; anything but a well-formed baseline file is a usage error (exit 2)."""
        try:
            raw = file.read_text("utf-8")
        except FileNotFoundError:
            raise UsageError.from_key("error.file_not_found", path=str(file)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError.from_key("error.bad_baseline", path=str(file), problem=str(exc)) from None
        try:
            parsed = BaselineFile.model_validate_json(raw)
        except ValidationError as exc:
            problem = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
            )
            raise UsageError.from_key("error.bad_baseline", path=str(file), problem=problem) from None
        if parsed.consentgate_baseline != FORMAT_VERSION:
            raise UsageError.from_key(
                "error.bad_baseline",
                path=str(file),
                problem=f"consentgate_baseline: version {parsed.consentgate_baseline} is not {FORMAT_VERSION}",
            )
        return cls(file, parsed.findings)

    @classmethod
    def of(cls, file: Path, reports: Iterable[ManifestReport]) -> Baseline:
        """Every open finding of these reports; suppressed ones are already accounted for in the manifest."""
        return cls(
            file,
            (_entry(f, r, file) for r in reports for f in r.findings if not f.suppressed),
        )

    def write(self) -> None:
        ordered = sorted(self.entries, key=lambda e: (e.path, e.pointer, e.rule_id))
        document = BaselineFile(consentgate_baseline=FORMAT_VERSION, findings=ordered)
        text = json.dumps(document.model_dump(), ensure_ascii=False, indent=2) + "\n"
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            self.file.write_text(text, "utf-8")
        except OSError as exc:
            raise UsageError.from_key(
                "error.cannot_write", path=str(self.file), problem=exc.strerror or str(exc)
            ) from None

    def covers(self, finding: Finding, report: ManifestReport) -> bool:
        return _entry(finding, report, self.file) in self.entries

    def apply(self, reports: Iterable[ManifestReport]) -> list[ManifestReport]:
        """The same reports with each finding the baseline accepts marked `baselined`."""
        return [
            replace(
                report,
                findings=tuple(
                    replace(f, baselined=True) if not f.suppressed and self.covers(f, report) else f
                    for f in report.findings
                ),
            )
            for report in reports
        ]
