"""A suppression that names no existing rule is an error of its manifest, with the suppression's place."""

from __future__ import annotations

from pathlib import Path

from consentgate.audit.engine import audit_file
from tests.audit.conftest import FORCED, FORCED_RULE


def test_unknown_rule_in_a_suppression_is_a_located_bilingual_error(tmp_path: Path) -> None:
    source = FORCED.read_text("utf-8")
    typo = FORCED_RULE.replace("COLLECTION", "COLECTION")
    path = tmp_path / "app.yaml"
    path.write_text(
        source + f"suppressions:\n  - rule: {typo}\n    path: onboarding\n    reason: r\n", "utf-8"
    )
    line = source.count("\n") + 2  # the line of `- rule: ...`, the first line of the suppression

    report = audit_file(str(path))

    assert report.findings == ()
    [error] = report.errors
    assert f"{path}:{line}:5" in error.zh and typo in error.zh and FORCED_RULE in error.zh
    assert f"{path}:{line}:5" in error.en and typo in error.en and f"did you mean '{FORCED_RULE}'" in error.en


def test_known_rule_in_a_suppression_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(
        FORCED.read_text("utf-8")
        + f"suppressions:\n  - {{rule: {FORCED_RULE}, path: onboarding, reason: r}}\n",
        "utf-8",
    )
    report = audit_file(str(path))
    assert report.errors == ()
    assert any(f.suppressed for f in report.findings)
