"""Audits many manifests: expands folders, fans out over processes, reports progress.

Rules are pure and manifests independent, so a batch parallelises perfectly across processes.
Work is handed out in chunks so that per-task pickling stays small next to the auditing itself.
A worker that dies costs only the file it was on (`audit.pool`); that file's report says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from consentgate.audit.findings import ManifestReport
from consentgate.audit.pool import Progress, audit_guarded, audit_pooled
from consentgate.errors import UsageError
from consentgate.law.catalog import load_catalog
from consentgate.rules.base import all_rules

MANIFEST_SUFFIXES = (".yaml", ".yml")
# Several chunks per worker keep the load balanced when some manifests take longer than others.
_CHUNKS_PER_WORKER = 4


def _below(folder: Path) -> list[Path]:
    """Every manifest below a folder, sorted, skipping hidden folders such as .git or .venv."""
    return sorted(
        (
            path
            for path in folder.rglob("*")
            if path.suffix in MANIFEST_SUFFIXES
            and path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        ),
        key=lambda p: p.as_posix(),
    )


def collect(paths: Iterable[Path]) -> list[str]:
    """Files as given and the manifests below each folder, each once, in the order given."""
    found: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            files = _below(path)
            if not files:
                raise UsageError.from_key("error.no_manifests", path=str(path))
        elif path.exists():
            files = [path]
        else:
            raise UsageError.from_key("error.file_not_found", path=str(path))
        for file in files:
            key = str(file)
            if key not in seen:
                seen.add(key)
                found.append(key)
    return found


def default_jobs() -> int:
    return os.cpu_count() or 1


def chunk_size(files: int, jobs: int) -> int:
    return max(1, files // (jobs * _CHUNKS_PER_WORKER))


def _gather(results: Iterable[ManifestReport], progress: Progress | None) -> list[ManifestReport]:
    reports = []
    for report in results:
        reports.append(report)
        if progress:
            progress(report)
    return reports


def audit_all(files: Sequence[str], *, jobs: int, progress: Progress | None = None) -> list[ManifestReport]:
    """One report per file, in the order of `files`; `jobs=1` (or a single file) stays in this process."""
    workers = max(1, min(jobs, len(files)))
    # Load rules and the catalog before forking so that every worker inherits them ready-made.
    all_rules()
    load_catalog()
    if workers == 1:
        return _gather(map(audit_guarded, files), progress)
    return audit_pooled(files, workers=workers, chunk=chunk_size(len(files), workers), progress=progress)
