"""`consentgate serve --tenant-manifests DIR` audits every tenant's manifest before it serves anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.runtime.conftest import SEED_FIXED

AS_FOUND = SEED_FIXED.parent / "as-found.yaml"


def test_serve_refuses_an_unlawful_tenant_manifest_with_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "tenants"
    folder.mkdir()
    shutil.copy(SEED_FIXED, folder / "lawful.yaml")
    shutil.copy(AS_FOUND, folder / "as-found.yaml")
    env = {**os.environ, "CONSENTGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    upgraded = subprocess.run(  # serve opens only a database `db upgrade` made
        [sys.executable, "-m", "consentgate", "db", "upgrade"], env=env, capture_output=True, timeout=120
    )
    assert upgraded.returncode == 0, upgraded.stderr
    command = [sys.executable, "-m", "consentgate", "serve", "--manifest", str(SEED_FIXED)]
    process = subprocess.run(
        [*command, "--tenant-manifests", str(folder), "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = process.stdout + process.stderr
    assert process.returncode == 2, output
    assert "CG-PIPL-016-FORCED-COLLECTION" in output and "Traceback" not in output
