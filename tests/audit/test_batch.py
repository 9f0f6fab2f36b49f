"""Folders expand to their manifests; parallel runs give exactly the in-process results, in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from consentgate.audit.batch import audit_all, chunk_size, collect
from consentgate.errors import UsageError
from tests.audit.conftest import RULE_FIXTURES, SEED


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "manifests"
    (root / "b").mkdir(parents=True)
    (root / "a" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    shutil.copy(SEED, root / "b" / "seed.yaml")
    passing = sorted(RULE_FIXTURES.glob("*/pass/*.yaml"))[:2]
    shutil.copy(passing[0], root / "a" / "one.yml")
    shutil.copy(passing[1], root / "a" / "deeper" / "two.yaml")
    shutil.copy(SEED, root / ".hidden" / "ignored.yaml")
    (root / "notes.txt").write_text("not a manifest", "utf-8")
    return root


def test_folders_expand_to_sorted_manifests_below(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert collect([root]) == [
        str(root / "a" / "deeper" / "two.yaml"),
        str(root / "a" / "one.yml"),
        str(root / "b" / "seed.yaml"),
    ]


def test_files_named_twice_are_audited_once(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    seed = root / "b" / "seed.yaml"
    assert collect([seed, root, seed]).count(str(seed)) == 1


def test_missing_path_and_empty_folder_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        collect([tmp_path / "absent.yaml"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no manifest"):
        collect([tmp_path / "empty"])


def test_two_processes_match_one_in_order(tmp_path: Path) -> None:
    files = collect([_tree(tmp_path)]) * 3  # enough files to make several chunks per worker
    seen: list[str] = []
    parallel = audit_all(files, jobs=2, progress=lambda report: seen.append(report.path))
    serial = audit_all(files, jobs=1)
    assert parallel == serial
    assert [r.path for r in parallel] == files
    assert seen == files


def test_chunks_keep_several_per_worker() -> None:
    assert chunk_size(1, 8) == 1
    assert chunk_size(800, 4) == 50
