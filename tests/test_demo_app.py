"""`make demo` stays true: the scripted scenario runs end to end and each person gets what the law allows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_demo_scenario_runs_and_tells_who_receives_what(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "demo-app" / "demo.py"),
            "--database",
            str(database),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("reached the home screen") == 3  # everyone reaches home, whatever they skipped
    assert "the answers ['occupation'] were not kept" in out  # Li Lei typed it but ticked nothing
    feeds = out.split("Lesson feed")[1].split("Push campaign")[0]
    assert feeds.split("韩梅梅")[0].count("Not personalized") == 1  # Li Lei's answer gave no consent
    assert "Not personalized" in out and "Personalized" in out
    visitor = out.split("A visitor who does not agree")[1].split("Lesson feed")[0]
    assert "just browse" in visitor and "Not personalized" in visitor
    assert "accounts before: 3, after: 3 (none created)" in visitor
    assert "13800000001" not in out.split("Marketing SMS")[1].split("Sharing")[0]  # Li Lei never consented
    assert "li-lei → affiliate-app-a: refused" in out
    assert "han-meimei → affiliate-app-a: delivered" in out
    assert "han-meimei → affiliate-app-b: refused" in out  # one tick, one recipient
    assert "SMS to 13912345678: denied" in out
    assert "hash chain verified: True" in out
    assert "copy: done" in out and "delete: done" in out and "deletion certificate" in out
    assert "'profile_attributes':" in out.split("deletion certificate")[1]
    assert "overdue = True" in out  # the operator console has a late request to show first
    assert database.exists()  # left for the service
